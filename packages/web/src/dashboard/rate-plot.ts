/**
 * @module
 * Validated tasks per second over time, drawn with uPlot (about 20 KB gzipped, canvas):
 * one series, redrawn from the grid state's rate points, sized to its container.
 */

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RatePoint } from './grid-state.js';

const HEIGHT = 180;
/** The least time the plot spans, in seconds. */
const MIN_SPAN_S = 60;

export class RatePlot {
  private readonly plot: uPlot;
  private readonly resize: ResizeObserver;

  constructor(private readonly container: HTMLElement) {
    const stroke = getComputedStyle(container).getPropertyValue('--accent').trim() || '#2563eb';
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
        },
        axes: [
          {
            stroke: 'currentColor',
            grid: { stroke: 'rgba(128,128,128,0.2)' },
            // Clock time on one line: uPlot's default adds a date line whose labels overlapped.
            values: (_u, ticks) => ticks.map(clockTime),
          },
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' }, size: 56 },
        ],
        series: [{}, { label: 'validated tasks/s', stroke, width: 2, fill: `${stroke}22` }],
      },
      [[], []],
      container,
    );
    this.resize = new ResizeObserver(() =>
      this.plot.setSize({ width: this.width(), height: HEIGHT }),
    );
    this.resize.observe(container);
  }

  update(points: readonly RatePoint[]): void {
    const xs = points.map((p) => p.t);
    this.plot.setData([xs, points.map((p) => p.rate)], false);
    const first = xs[0];
    const last = xs.at(-1);
    if (first === undefined || last === undefined) return;
    // At least a minute wide, ending at the newest point: one point alone would span years.
    this.plot.setScale('x', { min: Math.min(first, last - MIN_SPAN_S), max: last });
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot.destroy();
  }

  private width(): number {
    return Math.max(200, Math.floor(this.container.clientWidth));
  }
}

/** `14:05:30` for a time in epoch seconds, in the viewer's time zone. */
function clockTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}
