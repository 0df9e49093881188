/**
 * @module
 * When the page pauses by itself: while the tab is hidden (an option, on by default) and
 * while the battery is low and not charging (the Battery Status API, where the browser
 * has it: Chromium on laptops and Android). Each rule pauses and resumes for its own
 * reason, so a volunteer's own Pause is never undone by the tab coming back.
 */

import type { VolunteerProvider } from './volunteer-provider.js';

/** Below this charge, not charging, the page pauses. */
export const LOW_BATTERY = 0.2;

interface BatteryManager extends EventTarget {
  readonly charging: boolean;
  readonly level: number;
}

/** The options a volunteer can switch. */
export interface PauseOptions {
  pauseWhenHidden: boolean;
  pauseOnLowBattery: boolean;
}

/** Watches visibility and battery for `provider`; call `apply` after the options change. */
export class PauseRules {
  private battery: BatteryManager | undefined;

  constructor(
    private readonly provider: VolunteerProvider,
    private readonly options: PauseOptions,
  ) {
    document.addEventListener('visibilitychange', () => this.apply());
    const getBattery = (navigator as Navigator & { getBattery?: () => Promise<BatteryManager> })
      .getBattery;
    if (typeof getBattery === 'function') {
      getBattery
        .call(navigator)
        .then((battery) => {
          this.battery = battery;
          battery.addEventListener('levelchange', () => this.apply());
          battery.addEventListener('chargingchange', () => this.apply());
          this.apply();
        })
        .catch(() => {});
    }
    this.apply();
  }

  /** Whether the browser tells the page about its battery. */
  get batteryKnown(): boolean {
    return this.battery !== undefined;
  }

  apply(): void {
    const hidden = this.options.pauseWhenHidden && document.visibilityState === 'hidden';
    this.toggle('hidden', hidden);
    const b = this.battery;
    const low =
      this.options.pauseOnLowBattery && b !== undefined && !b.charging && b.level < LOW_BATTERY;
    this.toggle('battery', low);
  }

  private toggle(reason: 'hidden' | 'battery', on: boolean): void {
    if (on) this.provider.pause(reason);
    else this.provider.resume(reason);
  }
}
