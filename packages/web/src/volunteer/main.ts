/**
 * @module
 * The volunteer page (`/volunteer`): wires the controls to a `VolunteerProvider`. The
 * identity is made on the first visit and kept in localStorage with the settings;
 * `?autostart=1` starts at once (kiosks, lab machines, tests). Closing or leaving the tab
 * hands back the work still running.
 */

import { BrowserSandbox } from '@anygrid/runtime/browser';
import './volunteer.css';
import {
  browserName,
  coresOf,
  defaultThreads,
  hasWebGpu,
  memoryBytesOf,
} from './host-capabilities.js';
import { type Identity, IdentityStore } from './identity.js';
import { ModuleStore } from './module-store.js';
import { type PauseOptions, PauseRules } from './pause-rules.js';
import { type ProviderView, VolunteerProvider } from './volunteer-provider.js';

const SETTINGS_KEY = 'anygrid.volunteer.settings';

interface Settings extends PauseOptions {
  threads: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  start: $<HTMLButtonElement>('start'),
  state: $('state'),
  done: $('done'),
  compute: $('compute'),
  failed: $('failed'),
  running: $('running'),
  threads: $<HTMLInputElement>('threads'),
  threadsHint: $('threads-hint'),
  pauseHidden: $<HTMLInputElement>('pause-hidden'),
  pauseBattery: $<HTMLInputElement>('pause-battery'),
  identity: $('identity'),
  linkForm: $<HTMLFormElement>('link-form'),
  linkToken: $<HTMLInputElement>('link-token'),
  linkResult: $('link-result'),
  device: $('device'),
  error: $('error'),
};

const cores = coresOf();
const settings = loadSettings();
const identities = new IdentityStore(location.origin);
let identity: Identity | undefined;
let provider: VolunteerProvider | undefined;
let rules: PauseRules | undefined;

ui.threads.max = String(cores);
ui.threads.value = String(settings.threads);
ui.threadsHint.textContent = `of ${cores} cores`;
ui.pauseHidden.checked = settings.pauseWhenHidden;
ui.pauseBattery.checked = settings.pauseOnLowBattery;
ui.device.textContent = deviceLine();

const sandbox = new BrowserSandbox({
  maxWorkers: cores,
  createWorker: () =>
    new Worker(new URL('./sandbox-worker.ts', import.meta.url), { type: 'module' }),
});
const modules = new ModuleStore();

void boot();

async function boot(): Promise<void> {
  ui.start.disabled = true;
  try {
    identity = await identities.ensure(browserName());
  } catch (error) {
    showError(`Could not get a volunteer identity: ${messageOf(error)} Reload to try again.`);
    return;
  }
  provider = new VolunteerProvider({
    baseUrl: location.origin,
    identity,
    sandbox,
    modules,
    threads: settings.threads,
    onHostId: (hostId) => {
      if (!identity) return;
      identity = { ...identity, hostId };
      identities.save(identity);
    },
    onChange: () => scheduleRender(),
  });
  rules = new PauseRules(provider, settings);
  ui.start.disabled = false;
  render();
  if (new URLSearchParams(location.search).get('autostart') === '1') void start();
}

async function start(): Promise<void> {
  try {
    await provider?.start();
  } catch (error) {
    showError(`Could not join the grid: ${messageOf(error)}`);
  }
}

ui.start.addEventListener('click', () => {
  if (!provider) return;
  const view = provider.view();
  if (view.state === 'stopped') void start();
  else if (provider.isPaused('request')) provider.resume('request');
  else provider.pause('request');
});

ui.threads.addEventListener('change', () => {
  const n = Math.min(cores, Math.max(1, Math.round(Number(ui.threads.value) || 1)));
  ui.threads.value = String(n);
  settings.threads = n;
  saveSettings();
  provider?.setThreads(n);
});

ui.pauseHidden.addEventListener('change', () => {
  settings.pauseWhenHidden = ui.pauseHidden.checked;
  saveSettings();
  rules?.apply();
});

ui.pauseBattery.addEventListener('change', () => {
  settings.pauseOnLowBattery = ui.pauseBattery.checked;
  saveSettings();
  rules?.apply();
});

ui.linkForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.linkToken.value.trim();
  if (!identity || !provider || token === '') {
    ui.linkResult.textContent = 'Paste a provider token of your account first.';
    return;
  }
  ui.linkResult.textContent = 'Linking…';
  identities.link(identity, token).then(
    (linked) => {
      identity = linked;
      provider?.relink(linked).catch((error) => showError(`After linking: ${messageOf(error)}`));
      ui.linkToken.value = '';
      ui.linkResult.textContent = `Linked: this device now works for account ${linked.account}.`;
      render();
    },
    (error) => {
      ui.linkResult.textContent = `Not linked: ${messageOf(error)}`;
    },
  );
});

// The tab is closing or navigating away: hand back what is still running.
let wasRunning = false;
addEventListener('pagehide', () => {
  wasRunning = provider !== undefined && provider.view().state !== 'stopped';
  provider?.leave();
});
// Back from the browser's page cache (the back button): carry on where it left.
addEventListener('pageshow', (event: PageTransitionEvent) => {
  if (event.persisted && wasRunning) void start();
});

let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
  // A hidden tab gets no animation frames: render on a timer too, so the page is right when shown.
  setTimeout(() => {
    if (renderQueued) {
      renderQueued = false;
      render();
    }
  }, 250);
}

function render(): void {
  if (!provider) return;
  const view = provider.view();
  ui.start.textContent = buttonLabel(view);
  ui.state.textContent = stateLine(view);
  ui.state.dataset.state = view.state;
  ui.done.textContent = String(view.done);
  ui.failed.textContent = String(view.failed);
  ui.compute.textContent = duration(view.computeMs);
  ui.running.replaceChildren(
    ...(view.running.length === 0
      ? [item('Nothing.', 'muted')]
      : view.running.map((r) => item(`${r.program} — job ${r.jobId}, task ${r.taskId}`))),
  );
  if (identity) {
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = identity.account;
    const host = view.hostId === undefined ? '' : ` (host ${view.hostId})`;
    ui.identity.replaceChildren(
      identity.linked ? 'Linked to your account ' : 'Anonymous identity ',
      name,
      identity.linked
        ? `${host}: it gets the credit for this device's work.`
        : `${host}. Link it to your account to keep the credit.`,
    );
  }
  if (view.lastError && view.state !== 'running') showError(view.lastError);
}

function buttonLabel(view: ProviderView): string {
  if (view.state === 'stopped') return 'Start';
  if (view.state === 'starting') return 'Starting…';
  return view.pausedFor.includes('request') ? 'Resume' : 'Pause';
}

function stateLine(view: ProviderView): string {
  switch (view.state) {
    case 'stopped':
      return 'Not started.';
    case 'starting':
      return 'Joining the grid…';
    case 'running':
      return view.running.length > 0 ? 'Running tasks.' : 'Waiting for work.';
    case 'paused': {
      const why = view.pausedFor
        .map((r) => (r === 'request' ? 'by you' : r === 'hidden' ? 'tab hidden' : 'battery low'))
        .join(', ');
      const finishing = view.running.length > 0 ? ' Finishing the tasks already started.' : '';
      return `Paused (${why}).${finishing}`;
    }
  }
}

function item(text: string, className?: string): HTMLLIElement {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

function deviceLine(): string {
  const memory = memoryBytesOf();
  const parts = [
    `${cores} cores`,
    memory > 0 ? `${(memory / 1024 ** 3).toFixed(0)} GiB memory` : 'memory not told',
    hasWebGpu() ? 'WebGPU available' : 'no WebGPU',
  ];
  return `This device: ${browserName()}, ${parts.join(', ')}.`;
}

function loadSettings(): Settings {
  const defaults: Settings = {
    threads: defaultThreads(),
    pauseWhenHidden: true,
    pauseOnLowBattery: true,
  };
  try {
    const kept = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>;
    return {
      threads:
        typeof kept.threads === 'number'
          ? Math.min(coresOf(), Math.max(1, Math.round(kept.threads)))
          : defaults.threads,
      pauseWhenHidden: kept.pauseWhenHidden ?? defaults.pauseWhenHidden,
      pauseOnLowBattery: kept.pauseOnLowBattery ?? defaults.pauseOnLowBattery,
    };
  } catch {
    return defaults;
  }
}

function saveSettings(): void {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}

function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** For tests and the curious: what the page's provider is doing. */
(globalThis as { anygridVolunteer?: unknown }).anygridVolunteer = {
  view: () => provider?.view(),
};
