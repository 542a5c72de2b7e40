import { render } from 'preact';
import { App } from './App';
import { takeVerifyLink } from './link';

/** Entry point: take the token out of the URL first, then render. */
function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const link = takeVerifyLink(window.location, window.history, storage());
const root = document.getElementById('app');
if (root) render(<App link={link} />, root);
