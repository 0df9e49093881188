/**
 * @module
 * The dashboard's entry: asks once for a requester or admin token (kept for the tab's
 * session), opens the event stream, and routes between the grid (`/dashboard`) and a
 * job's page (`/dashboard/jobs/{id}`) with the history API, so every page has a URL to
 * share and moving between them never reloads or reconnects.
 */

import './dashboard.css';
import type { WhoAmI } from '@anygrid/protocol';
import { ApiError, getJson } from './coordinator-api.js';
import { h, replace } from './element.js';
import { openEventStream, type StreamState } from './event-stream.js';
import { GridState } from './grid-state.js';
import { jobView } from './job-view.js';
import { overviewView, type View } from './overview-view.js';
import { forgetToken, savedToken, saveToken } from './token-store.js';

const app = document.getElementById('app') as HTMLElement;
const live = document.getElementById('live') as HTMLElement;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;

const STATE_TEXT: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  retrying: 'reconnecting…',
  refused: 'token refused',
};

let view: View | undefined;
let closeStream: (() => void) | undefined;
/** The token in use; null while the page asks for one. */
let current: string | null = null;
const state = new GridState();

function jobIdOf(pathname: string): number | null {
  const m = /^\/dashboard\/jobs\/(\d+)\/?$/.exec(pathname);
  return m ? Number(m[1]) : null;
}

function render(token: string): void {
  view?.destroy();
  const jobId = jobIdOf(location.pathname);
  view = jobId === null ? overviewView(app, state) : jobView(app, jobId, token, state);
  document.title = jobId === null ? 'Grid · Anygrid' : `Job ${jobId} · Anygrid`;
}

function start(token: string): void {
  signOut.hidden = false;
  closeStream = openEventStream(token, {
    event: (event) => state.apply(event),
    state: (s, detail) => {
      live.textContent = STATE_TEXT[s];
      live.dataset.state = s;
      if (s === 'refused') {
        forgetToken();
        askToken(detail);
      }
    },
  });
  current = token;
  render(token);
}

// Links marked data-route change the page in place; a new tab or window still works.
document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest('a[data-route]') as HTMLAnchorElement | null;
  if (!a || !current || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  history.pushState(null, '', a.href);
  render(current);
  app.querySelector<HTMLElement>('h1')?.focus();
});
window.addEventListener('popstate', () => {
  if (current) render(current);
});

function askToken(problem?: string): void {
  current = null;
  closeStream?.();
  view?.destroy();
  view = undefined;
  signOut.hidden = true;
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'token-help',
  });
  const error = h('p', { class: 'error', role: 'alert' }, problem ?? '');
  const form = h(
    'form',
    { class: 'card token-form' },
    h('h1', { tabindex: -1 }, 'Open the dashboard'),
    h('label', { for: 'token' }, 'Requester or admin token'),
    input,
    h(
      'p',
      { id: 'token-help', class: 'note' },
      'Kept in this tab only, until it closes. `npm start` wrote one to .anygrid/requester.token; an admin token (.anygrid/admin.token) sees every job.',
    ),
    h('button', { type: 'submit' }, 'Open'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = input.value.trim();
    void getJson<WhoAmI>('/v1/whoami', token).then(
      (who) => {
        if (who.role === 'provider') {
          error.textContent =
            'This is a provider token: the dashboard needs a requester or admin token.';
          return;
        }
        saveToken(token);
        start(token);
      },
      (err: unknown) => {
        error.textContent =
          err instanceof ApiError
            ? err.message
            : 'The coordinator could not be reached; is it running?';
      },
    );
  });
  replace(app, form);
  input.focus();
}

signOut.addEventListener('click', () => {
  forgetToken();
  location.assign('/dashboard');
});

const token = savedToken();
if (token) start(token);
else askToken();
