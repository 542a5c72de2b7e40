import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useDashboard } from '../context';
import type { MessageKey, Translator } from '../i18n';
import { hrefOf, type Route } from '../navigation';

/** Shared pieces of the dashboard's pages: links, loading and error states, copy buttons, dialogs. */

/** An in-app link: a real <a href> (open in new tab works) that navigates without a reload on a plain click. */
export function Link(props: { to: Route; children: ComponentChildren; class?: string; current?: boolean }) {
  const { navigate } = useDashboard();
  const onClick = (event: MouseEvent) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={hrefOf(props.to)} class={props.class} onClick={onClick} aria-current={props.current ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

/** The page's heading: focused after each navigation so screen readers announce the new page. */
export function PageTitle(props: { children: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    if (heading.current?.textContent) document.title = `${heading.current.textContent} · Identity (KYC)`;
  }, []);
  return (
    <div class="page-head">
      <h1 ref={heading} tabIndex={-1}>
        {props.children}
      </h1>
      {props.actions ? <div class="page-actions">{props.actions}</div> : null}
    </div>
  );
}

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ready'; value: T; reload(): void };

/** Loads data for a page; reloads when `deps` change or on `reload()`. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loadable<T> {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on.
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setResult({ state: 'ready', value, reload }),
      (error: unknown) => live && setResult({ state: 'error', error: asApiError(error) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);
  return result;
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'unexpected', String(error));
}

/** A sentence for an API error: known codes are translated, others show the server's message. */
export function errorText(i18n: Translator, error: ApiError): string {
  if (error.status === 0) return i18n.t('error.network');
  if (error.status === 403) return i18n.t('error.forbidden');
  if (error.status === 404) return i18n.t('error.notFound');
  const fields = error.details.map((d) => `${d.field}: ${d.issue}`).join('; ');
  return fields ? `${error.message} (${fields})` : error.message;
}

export function ErrorNotice(props: { error: ApiError | null }) {
  const { i18n } = useDashboard();
  if (!props.error) return null;
  return (
    <p class="notice notice-error" role="alert">
      {errorText(i18n, props.error)}
    </p>
  );
}

export function Loading() {
  const { i18n } = useDashboard();
  return (
    <p class="loading" role="status">
      {i18n.t('common.loading')}
    </p>
  );
}

/** Renders a loadable: a status line while loading, an alert on error, the content when ready. */
export function Loaded<T>(props: { data: Loadable<T>; children: (value: T, reload: () => void) => JSX.Element }) {
  if (props.data.state === 'loading') return <Loading />;
  if (props.data.state === 'error') return <ErrorNotice error={props.data.error} />;
  return props.children(props.data.value, props.data.reload);
}

/** Copies a value; says so to screen readers through a polite live region. */
export function CopyButton(props: { value: string; label: string }) {
  const { i18n } = useDashboard();
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="button button-small" onClick={() => void copy()} aria-label={props.label}>
        {i18n.t('common.copy')}
      </button>
      <span role="status" class="copy-status">
        {copied === 'copied' ? i18n.t('common.copied') : copied === 'failed' ? i18n.t('common.copyFailed') : ''}
      </span>
    </span>
  );
}

/** A value in monospace with its copy button. */
export function Copyable(props: { value: string; label: string; testId?: string }) {
  return (
    <span class="copyable">
      <code data-value={props.testId}>{props.value}</code> <CopyButton value={props.value} label={props.label} />
    </span>
  );
}

/**
 * A confirmation dialog (native <dialog> as a modal: focus is trapped and Escape cancels). `onConfirm`
 * runs on the confirm button only.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const { i18n } = useDashboard();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (props.open && !element.open) element.showModal();
    if (!props.open && element.open) element.close();
  }, [props.open]);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.body}</p>
      <div class="actions">
        <button type="button" class="button" onClick={props.onCancel}>
          {i18n.t('common.cancel')}
        </button>
        <button
          type="button"
          class={props.danger ? 'button button-danger' : 'button button-primary'}
          data-action="confirm"
          onClick={props.onConfirm}
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A coloured label for a status or decision; the word itself carries the meaning (not the colour). */
export function Badge(props: { kind: string | null; labelKey?: string }) {
  const { i18n } = useDashboard();
  if (!props.kind) return <span class="badge badge-none">—</span>;
  return (
    <span class={`badge badge-${props.kind}`}>
      {i18n.dynamic(props.labelKey ?? `status.${props.kind}`, props.kind)}
    </span>
  );
}

/** A list of codes (reason codes, risk flags) as labelled chips, or "none". */
export function CodeList(props: { codes: readonly string[]; label: MessageKey; testId?: string }) {
  const { i18n } = useDashboard();
  if (props.codes.length === 0) return <p class="muted">{i18n.t('common.none')}</p>;
  return (
    <ul class="chips" aria-label={i18n.t(props.label)} data-codes={props.testId}>
      {props.codes.map((code) => (
        <li key={code}>
          <code>{code}</code>
        </li>
      ))}
    </ul>
  );
}

/** Cursor pagination: "first page" and "next page" (the API pages forward only). */
export function Pager(props: { nextCursor: string | null; isFirst: boolean; onNext(): void; onFirst(): void }) {
  const { i18n } = useDashboard();
  if (!props.nextCursor && props.isFirst) return null;
  return (
    <nav class="pager" aria-label={i18n.t('common.pagination')}>
      {props.isFirst ? null : (
        <button type="button" class="button" onClick={props.onFirst}>
          {i18n.t('common.firstPage')}
        </button>
      )}
      {props.nextCursor ? (
        <button type="button" class="button" data-action="next-page" onClick={props.onNext}>
          {i18n.t('common.nextPage')}
        </button>
      ) : null}
    </nav>
  );
}
