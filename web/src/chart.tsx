import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A bar chart of one value per UTC day (uPlot: small, canvas, no inline code). */
export function DailyBars({ days, values, label }: { days: string[]; values: number[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 220,
        // The legend under the chart reads the day and the value under the cursor.
        legend: { show: true, live: true },
        cursor: { points: { show: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        axes: [{ stroke: '#667085', grid: { show: false } }, { stroke: '#667085', grid: { stroke: '#eaecf0' }, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) }],
        series: [
          { label: 'Day', value: (_u, ts) => (ts === null ? '—' : new Date(ts * 1000).toISOString().slice(0, 10)) },
          { label, fill: '#2f5bea', stroke: '#2f5bea', paths: uPlot.paths.bars!({ size: [0.7, 40] }), points: { show: false }, value: (_u, v) => (v === null ? '—' : String(v)) },
        ],
      },
      [xs, values],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days.join(), values.join(), label]);
  return <div ref={box} class="chart" role="img" aria-label={label} />;
}

/** Horizontal bars of a few named values (the operations of a month), as plain elements. */
export function NamedBars({ rows }: { rows: Array<{ name: string; value: number; note?: string }> }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <table class="bars">
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <th scope="row">{r.name}</th>
            <td class="bar-cell">
              <meter min={0} max={max} value={r.value} aria-label={`${r.name}: ${r.value}`} />
            </td>
            <td class="num">{r.value.toLocaleString()}</td>
            <td class="muted">{r.note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
