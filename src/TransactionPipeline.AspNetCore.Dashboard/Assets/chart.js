// The job page's chart, drawn by hand as inline SVG: daily total and revenue (left axis) and credit score (right axis).
"use strict";
(() => {
  const svgNs = "http://www.w3.org/2000/svg";
  const width = 760;
  const height = 280;
  const margin = { left: 70, right: 52, top: 14, bottom: 34 };
  const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
  const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

  function svg(tag, attributes, text) {
    const node = document.createElementNS(svgNs, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Four or five round steps from low to high, widened to include them. */
  function ticks(low, high) {
    if (low === high) { low -= 1; high += 1; }
    const raw = (high - low) / 4;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map(f => f * magnitude).find(s => s >= raw);
    const first = Math.floor(low / step) * step;
    const values = [];
    for (let v = first; v <= high + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
    if (values[values.length - 1] < high) values.push(values[values.length - 1] + step);
    return values;
  }

  function scale(domain, range) {
    const [d0, d1] = [domain[0], domain[domain.length - 1]];
    return v => range[0] + (v - d0) * (range[1] - range[0]) / (d1 - d0 || 1);
  }

  function line(points) {
    return points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`).join("");
  }

  /** Draws the days into the container and names the series in the legend. */
  function render(container, legend, days) {
    container.replaceChildren();
    legend.replaceChildren();
    if (days.length === 0) {
      container.textContent = "The job has no daily totals.";
      return;
    }

    const n = days.length;
    const plotRight = width - margin.right;
    const plotBottom = height - margin.bottom;
    const x = i => n === 1 ? (margin.left + plotRight) / 2 : margin.left + i * (plotRight - margin.left) / (n - 1);
    const amounts = days.flatMap(d => [d.total_amount, d.revenue_amount]);
    const moneyTicks = ticks(Math.min(0, ...amounts), Math.max(0, ...amounts));
    const yMoney = scale(moneyTicks, [plotBottom, margin.top]);
    const scores = days.map(d => d.credit_score).filter(s => s !== null && s !== undefined);
    const scoreTicks = scores.length ? ticks(Math.min(...scores), Math.max(...scores)) : [0, 1];
    const yScore = scale(scoreTicks, [plotBottom, margin.top]);

    const first = days[0].date;
    const last = days[n - 1].date;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-title chart-desc" });
    root.append(svg("title", { id: "chart-title" }, "Daily total amount, revenue and credit score"));
    root.append(svg("desc", { id: "chart-desc" },
      `${n} day${n === 1 ? "" : "s"} from ${first} to ${last}. Total amount from ${number.format(Math.min(...days.map(d => d.total_amount)))} `
      + `to ${number.format(Math.max(...days.map(d => d.total_amount)))}`
      + (scores.length ? `; credit score from ${Math.min(...scores)} to ${Math.max(...scores)}.` : ".")
      + " The offers table below lists every day."));

    const axes = svg("g", { class: "axis" });
    for (const value of moneyTicks) {
      const y = yMoney(value);
      axes.append(svg("line", { class: "grid-line", x1: margin.left, x2: plotRight, y1: y, y2: y }));
      axes.append(svg("text", { x: margin.left - 8, y: y + 4, "text-anchor": "end" }, compact.format(value)));
    }

    if (scores.length) {
      for (const value of scoreTicks) {
        axes.append(svg("text", { x: plotRight + 8, y: yScore(value) + 4, "text-anchor": "start" }, compact.format(value)));
      }
    }

    const labels = Math.min(n, 6);
    for (let k = 0; k < labels; k++) {
      const i = labels === 1 ? 0 : Math.round(k * (n - 1) / (labels - 1));
      const anchor = n === 1 ? "middle" : k === 0 ? "start" : k === labels - 1 ? "end" : "middle";
      axes.append(svg("text", { x: x(i), y: height - 10, "text-anchor": anchor }, days[i].date));
    }

    root.append(axes);
    const series = [
      ["total", "Total amount", d => d.total_amount, yMoney],
      ["revenue", "Revenue", d => d.revenue_amount, yMoney],
      ["score", "Credit score (right axis)", d => d.credit_score, yScore],
    ];
    for (const [name, label, value, y] of series) {
      const points = days.map((d, i) => [i, value(d)]).filter(([, v]) => v !== null && v !== undefined);
      if (points.length === 0) continue;
      root.append(svg("path", { class: name, d: line(points.map(([i, v]) => [x(i), y(v)])) }));
      if (n <= 120) {
        const dots = svg("g", { class: `${name}-dot` });
        for (const [i, v] of points) {
          const dot = svg("circle", { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: n <= 40 ? 3.5 : 2 });
          dot.append(svg("title", {}, `${days[i].date}: ${label.replace(" (right axis)", "")} ${number.format(v)}`));
          dots.append(dot);
        }

        root.append(dots);
      }

      legend.append(Object.assign(document.createElement("span"), { className: name, textContent: label }));
    }

    container.append(root);
  }

  window.DashboardChart = Object.freeze({ render, ticks });
})();
