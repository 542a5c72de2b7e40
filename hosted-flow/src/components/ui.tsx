import type { ComponentChildren, JSX } from 'preact';
import { useCallback } from 'preact/hooks';

/**
 * Layout primitives shared by all screens: a screen with a focused heading (so screen-reader and keyboard
 * users land on the new step), buttons, and a status line.
 */

export interface ScreenProps {
  title: string;
  /** data-screen attribute: a stable hook for tests and analytics, independent of the language. */
  id: string;
  step?: string | undefined;
  children?: ComponentChildren;
}

export function Screen({ title, id, step, children }: ScreenProps): JSX.Element {
  // The heading is keyed by screen and title: a new step mounts a new heading, which takes the focus.
  const focusOnMount = useCallback((heading: HTMLHeadingElement | null) => heading?.focus(), []);
  return (
    <section class="screen" data-screen={id} aria-labelledby={`${id}-title`}>
      {step ? <p class="step">{step}</p> : null}
      <h1 key={`${id}\n${title}`} id={`${id}-title`} tabIndex={-1} ref={focusOnMount}>
        {title}
      </h1>
      {children}
    </section>
  );
}

export interface ButtonProps {
  onClick?: () => void;
  kind?: 'primary' | 'secondary' | 'link';
  disabled?: boolean;
  type?: 'button' | 'submit';
  children: ComponentChildren;
  name?: string;
}

export function Button({
  onClick,
  kind = 'primary',
  disabled,
  type = 'button',
  children,
  name,
}: ButtonProps): JSX.Element {
  return (
    <button type={type} class={`button ${kind}`} onClick={onClick} disabled={disabled} data-action={name}>
      {children}
    </button>
  );
}

export function Actions({ children }: { children: ComponentChildren }): JSX.Element {
  return <div class="actions">{children}</div>;
}

/** A visible status line that screen readers announce politely. */
export function Status({
  children,
  tone = 'info',
}: {
  children: ComponentChildren;
  tone?: 'info' | 'error';
}): JSX.Element {
  return (
    <p class={`status ${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

export function Spinner(): JSX.Element {
  return <span class="spinner" aria-hidden="true" />;
}
