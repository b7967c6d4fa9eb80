#!/usr/bin/env python3
"""Turns the raw records of cluster/bench into results.md, SVG charts and a table on stdout.

    python3 cluster/benchmark/report.py RESULTS_DIR

Reads RESULTS_DIR/raw/*.jsonl (written by cluster/benchmark/run) and writes RESULTS_DIR/results.md,
failover-cdf.svg and cost-vs-size.svg. Standard library only; the SVG is written by hand.
Percentiles are nearest-rank: with 30 trials, p99 is the largest value (it says so).
"""
import json
import math
import os
import random
import sys


def load(directory, name):
    path = os.path.join(directory, "raw", name + ".jsonl")
    if not os.path.exists(path):
        return []
    records = []
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line:
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return records


def percentile(values, fraction):
    """Nearest-rank percentile: the smallest value with at least `fraction` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def bootstrap_ratio(numerator, denominator, fraction, resamples=2000):
    """95% bootstrap interval of percentile(numerator) / percentile(denominator): how much of a
    ratio is run-to-run noise. Seeded, so the same data gives the same interval."""
    generator = random.Random(1)
    ratios = []
    for _ in range(resamples):
        a = [generator.choice(numerator) for _ in numerator]
        b = [generator.choice(denominator) for _ in denominator]
        ratios.append(percentile(a, fraction) / percentile(b, fraction))
    ratios.sort()
    return ratios[int(0.025 * resamples)], ratios[int(0.975 * resamples) - 1]


def ratio_text(value, threshold):
    """Two decimals, or three when two would round onto the threshold."""
    return f"{value:.3f}x" if abs(value - threshold) < 0.006 else f"{value:.2f}x"


def summary(values):
    if not values:
        return None
    return {
        "n": len(values),
        "min": min(values),
        "median": percentile(values, 0.5),
        "p90": percentile(values, 0.9),
        "p99": percentile(values, 0.99),
        "max": max(values),
    }


def ms(value, digits=0):
    if value is None:
        return "-"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def config_key(record):
    return (record["nodes"], record["profile"])


PROFILE_TEXT = {
    "default": "heartbeat 100 ms, election timeout 1000 ms (etcd's defaults)",
    "fast": "heartbeat 50 ms, election timeout 300 ms",
}


def system_label(record):
    """The system name, with its variant (etcd with Pre-Vote off) when it has one."""
    return record["system"] + (f" ({record['variant']})" if record.get("variant") else "")


STALL_MS = 100  # a trial during which the machine stalled this long is marked disturbed


def timing_rows(records):
    """(nodes, profile, system label) -> (successful times in ms, failures, disturbed trials)."""
    table = {}
    for record in records:
        key = (record["nodes"], record["profile"], system_label(record))
        times, counts = table.setdefault(key, ([], [0, 0]))
        result = record.get("result", {})
        if result.get("ms") is not None:
            times.append(float(result["ms"]))
        else:
            counts[0] += 1
        if record.get("stall_max_ms", 0) >= STALL_MS:
            counts[1] += 1
    return {key: (times, counts[0], counts[1]) for key, (times, counts) in table.items()}


def timing_table(rows, title):
    lines = [f"| {title} | system | trials | min | median | p90 | p99 | max | failed | disturbed |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for (nodes, profile, system) in sorted(rows, key=lambda k: (k[1] != "default", k[0], k[2] != "tenure", k[2])):
        times, failures, disturbed = rows[(nodes, profile, system)]
        s = summary(times)
        label = f"{nodes} nodes, {profile}"
        if s is None:
            lines.append(f"| {label} | {system} | 0 | - | - | - | - | - | {failures} | {disturbed} |")
        else:
            lines.append(f"| {label} | {system} | {s['n']} | {ms(s['min'])} | {ms(s['median'])} | {ms(s['p90'])} | {ms(s['p99'])} | {ms(s['max'])} | {failures} | {disturbed} |")
    return lines


def idle_figures(record):
    wall = record["wall_ms"] / 1000.0
    clk = record["clk_tck"]
    members = record["members"]
    # Exact on-CPU nanoseconds from schedstat when recorded; clock ticks (10 ms) otherwise.
    cpu = [(m["cpu_ns"] / 1e9 if "cpu_ns" in m else m["cpu_ticks"] / clk) / wall * 100 for m in members]
    rss = [m["rss_avg_kib"] / 1024 for m in members]
    leader_cpu = [c for c, m in zip(cpu, members) if m["leader"]]
    follower_cpu = [c for c, m in zip(cpu, members) if not m["leader"]]
    return {
        "cpu_avg": sum(cpu) / len(cpu),
        "cpu_leader": leader_cpu[0] if leader_cpu else None,
        "cpu_follower": sum(follower_cpu) / len(follower_cpu) if follower_cpu else None,
        "rss_avg": sum(rss) / len(rss),
        "rss_min": min(rss),
        "rss_max": max(m["rss_max_kib"] / 1024 for m in members),
        "pss_avg": sum(m.get("pss_kib", 0) for m in members) / len(members) / 1024,
        "anon_avg": sum(m.get("anon_kib", 0) for m in members) / len(members) / 1024,
        "heartbeats_per_second": record.get("heartbeats_sent", 0) / wall if record["system"] == "tenure" else None,
        "messages_per_second": record.get("peer_messages_sent", 0) / wall if record["system"] == "tenure" else None,
        "seconds": wall,
        "leader_changed": record.get("leader_changed", False),
    }


# ------------------------------------------------------------------------------------------------
# SVG


def svg_text(x, y, text, size=12, anchor="start", weight="normal", color="#222", rotate=None):
    transform = f' transform="rotate({rotate} {x} {y})"' if rotate is not None else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" fill="{color}"{transform}>{text}</text>'


def nice_ticks(low, high, count=6):
    if high <= low:
        high = low + 1
    span = high - low
    step = 10 ** math.floor(math.log10(span / count))
    for multiplier in (1, 2, 2.5, 5, 10):
        if span / (step * multiplier) <= count:
            step *= multiplier
            break
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.001:
        if value >= low - step * 0.001:
            ticks.append(round(value, 10))
        value += step
    return ticks


class Plot:
    """One chart panel: axes, grid and tick labels; data added as paths."""

    def __init__(self, left, top, width, height, x_range, y_range, x_label, y_label, title, log_y=False, x_ticks=None, y_format=None):
        self.left, self.top, self.width, self.height = left, top, width, height
        self.x_range, self.y_range, self.log_y = x_range, y_range, log_y
        self.parts = []
        self.parts.append(svg_text(left + width / 2, top - 12, title, size=14, anchor="middle", weight="bold"))
        self.parts.append(f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="white" stroke="#999"/>')
        for tick in (x_ticks or nice_ticks(*x_range)):
            x = self.x(tick)
            self.parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height}" stroke="#eee"/>')
            self.parts.append(svg_text(x, top + height + 16, f"{tick:g}", size=11, anchor="middle"))
        if log_y:
            exponent = math.floor(math.log10(y_range[0]))
            while 10 ** exponent <= y_range[1] * 1.0001:
                value = 10 ** exponent
                if value >= y_range[0] * 0.9999:
                    y = self.y(value)
                    self.parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="#eee"/>')
                    self.parts.append(svg_text(left - 6, y + 4, y_format(value) if y_format else f"{value:g}", size=11, anchor="end"))
                exponent += 1
        else:
            for tick in nice_ticks(*y_range):
                y = self.y(tick)
                self.parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="#eee"/>')
                self.parts.append(svg_text(left - 6, y + 4, f"{tick:g}", size=11, anchor="end"))
        self.parts.append(svg_text(left + width / 2, top + height + 36, x_label, size=12, anchor="middle"))
        self.parts.append(svg_text(left - 48, top + height / 2, y_label, size=12, anchor="middle", rotate=-90))

    def x(self, value):
        low, high = self.x_range
        return self.left + (value - low) / (high - low) * self.width

    def y(self, value):
        low, high = self.y_range
        if self.log_y:
            value = max(value, low)
            return self.top + self.height - (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low)) * self.height
        return self.top + self.height - (value - low) / (high - low) * self.height

    def path(self, points, color, dash=None, width=2):
        if not points:
            return
        d = " ".join(("M" if i == 0 else "L") + f"{self.x(px):.1f},{self.y(py):.1f}" for i, (px, py) in enumerate(points))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}"{dash_attr}/>')

    def markers(self, points, color):
        for px, py in points:
            self.parts.append(f'<circle cx="{self.x(px):.1f}" cy="{self.y(py):.1f}" r="3.5" fill="{color}"/>')

    def legend(self, entries, x_offset=12, y_offset=16):
        for index, (label, color, dash) in enumerate(entries):
            y = self.top + y_offset + index * 18
            x = self.left + x_offset
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            self.parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{color}" stroke-width="2.5"{dash_attr}/>')
            self.parts.append(svg_text(x + 30, y, label, size=12))


def format_ns(value):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if value >= scale:
            return f"{value / scale:g} {unit}"
    return f"{value:g} ns"


def write_svg(path, width, height, parts):
    with open(path, "w") as handle:
        handle.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">\n')
        handle.write(f'<rect width="{width}" height="{height}" fill="white"/>\n')
        for part in parts:
            handle.write(part + "\n")
        handle.write("</svg>\n")


def cdf_points(values):
    ordered = sorted(values)
    points = [(ordered[0], 0.0)]
    for index, value in enumerate(ordered):
        points.append((value, index / len(ordered)))
        points.append((value, (index + 1) / len(ordered)))
    return points


COLORS = {"tenure": "#1f77b4", "etcd": "#d62728", "etcd (pre-vote off)": "#ff7f0e"}


def failover_chart(path, failover_rows):
    curves = []
    for (nodes, profile, system), (times, _, _) in failover_rows.items():
        if nodes == 3 and times:
            curves.append((profile, system, times))
    if not curves:
        return False
    high = max(max(times) for _, _, times in curves)
    plot = Plot(70, 40, 620, 330, (0, high * 1.05), (0, 1), "time from kill -9 of the leader to a new leader (ms)",
                "cumulative fraction of trials", "Crash failover, 3 nodes: Tenure vs etcd (CDF)")
    entries = []
    for profile, system, times in sorted(curves, key=lambda c: (c[0] != "default", c[1] != "tenure", c[1])):
        dash = None if profile == "default" else "6,4"
        plot.path(cdf_points(times), COLORS.get(system, "#555"), dash=dash)
        entries.append((f"{system}, {profile}: median {percentile(times, 0.5):.0f} ms, p99 {percentile(times, 0.99):.0f} ms (n={len(times)})",
                        COLORS.get(system, "#555"), dash))
    # The legend goes under the chart, where it cannot hide a curve.
    plot.legend(entries, x_offset=0, y_offset=plot.height + 62)
    bottom = plot.top + plot.height + 62 + 18 * len(entries)
    plot.parts.append(svg_text(plot.left, bottom + 4, "solid: heartbeat 100 ms, election timeout 1000 ms; dashed: 50 ms, 300 ms (both systems alike)", size=11, color="#555"))
    write_svg(path, 720, bottom + 16, plot.parts)
    return True


def cost_chart(path, idle_records, core_records, failover_rows):
    parts = []
    # Left: real processes, CPU per node against cluster size (default profile).
    real = {}
    for record in idle_records:
        if record["profile"] != "default":
            continue
        real.setdefault(record["system"], {})[record["nodes"]] = idle_figures(record)
    if real:
        sizes = sorted({n for series in real.values() for n in series})
        high = max(f["cpu_avg"] for series in real.values() for f in series.values())
        high = max(high, max((f["cpu_leader"] or 0) for series in real.values() for f in series.values()))
        plot = Plot(70, 40, 330, 300, (min(sizes) - 0.5, max(sizes) + 0.5), (0, high * 1.8 + 0.05),
                    "cluster size (real processes)", "CPU (% of one core)", "Idle CPU per node vs size", x_ticks=sizes)
        entries = []
        for system, series in sorted(real.items(), key=lambda item: item[0] != "tenure"):
            points = sorted((n, f["cpu_avg"]) for n, f in series.items())
            plot.path(points, COLORS[system])
            plot.markers(points, COLORS[system])
            entries.append((f"{system}, average node", COLORS[system], None))
            leader = sorted((n, f["cpu_leader"]) for n, f in series.items() if f["cpu_leader"] is not None)
            plot.path(leader, COLORS[system], dash="5,4", width=1.5)
            entries.append((f"{system}, leader", COLORS[system], "5,4"))
        plot.legend(entries)
        parts += plot.parts
    # Right: in-process cores, ns of core CPU per heartbeat round, log scale.
    if core_records:
        records = sorted(core_records, key=lambda r: r["nodes"])
        values = [r["core_cpu_ns_per_round"] for r in records] + [r["leader_ns_per_round"] for r in records] + [max(1, r["follower_ns_per_round"]) for r in records]
        low = 10 ** math.floor(math.log10(max(1, min(values))))
        high = 10 ** math.ceil(math.log10(max(values)))
        plot = Plot(520, 40, 360, 300, (0, records[-1]["nodes"] + 2), (low, high),
                    "cluster size (in-process cores)", "core CPU per heartbeat round",
                    "Core cost per heartbeat round vs size", log_y=True, y_format=format_ns)
        series = [("all cores", "core_cpu_ns_per_round", "#2ca02c", None), ("leader", "leader_ns_per_round", "#9467bd", "6,4"),
                  ("one follower", "follower_ns_per_round", "#8c564b", "2,3")]
        entries = []
        for label, key, color, dash in series:
            points = [(r["nodes"], max(1, r[key])) for r in records]
            plot.path(points, color, dash=dash)
            plot.markers(points, color)
            entries.append((label, color, dash))
        plot.legend(entries)
        parts += plot.parts
    if not parts:
        return False
    write_svg(path, 920, 400, parts)
    return True


# ------------------------------------------------------------------------------------------------
# Application binding (issue 9, section 5)

APP_FAULTS = [
    ("node-kill", "kill -9 of the leader's node"),
    ("node-stop", "SIGSTOP of the leader's node (SIGCONT once the new leader is up)"),
    ("node-isolate", "isolation of the leader's node (iptables DROP on its peer port)"),
]
APP_HEALTH = [
    ("health-pull", "health check starts failing (`--health-cmd` testing a file)"),
    ("health-push", "application pushes `PUT /v1/health {\"healthy\": false}`"),
]
FLAKY_FAILURE = 77 / 256  # the check fails when a random byte is below 77


def unhealthy_episodes_per_check(p, fall, rise):
    """Expected healthy-to-unhealthy transitions per check of a node whose checks fail independently
    with probability p, under fall/rise hysteresis: the stationary rate of a small Markov chain
    (states: healthy with k failures in a row, k < fall; unhealthy with j passes in a row, j < rise)."""
    n = fall + rise
    pi = [1.0 / n] * n
    for _ in range(3000):
        nxt = [0.0] * n
        for state, weight in enumerate(pi):
            if state < fall:
                nxt[state + 1 if state + 1 < fall else fall] += weight * p
                nxt[0] += weight * (1 - p)
            else:
                passes = state - fall
                nxt[fall] += weight * p
                nxt[fall + passes + 1 if passes + 1 < rise else 0] += weight * (1 - p)
        pi = nxt
    return pi[fall - 1] * p


def app_verdict(ok):
    return "met" if ok else "**missed**"


def app_binding_section(records):
    """(rows for the Targets table, markdown lines, lines for stdout) of the application-binding section."""
    by_kind = {}
    for record in records:
        by_kind.setdefault(record.get("kind"), []).append(record)
    if not records:
        return [], [], []

    def results(kind):
        return [r["result"] for r in by_kind.get(kind, []) if isinstance(r.get("result"), dict)]

    def values(items, key):
        return [r[key] for r in items if r.get(key) is not None]

    def p50_p99(numbers, digits=1):
        if not numbers:
            return "-"
        return f"p50 {ms(percentile(numbers, 0.5), digits)} ms, p99 {ms(percentile(numbers, 0.99), digits)} ms"

    rows = []      # measure, trials, figures, target, verdict
    targets = []   # for the summary table at the top
    # (a) the old worker stopped before the new lease began
    all_faults, all_stopped = 0, 0
    for kind, label in APP_FAULTS:
        items = results(kind)
        if not items:
            continue
        complete = [r for r in items if r.get("complete")]
        gone = values(complete, "gap_gone_ms")
        stamp = values(complete, "gap_stamp_ms")
        stopped = sum(1 for g in gone if g > 0)
        bad = [f"trial {t['trial']}: gap {t['result'].get('gap_gone_ms')} ms" for t in by_kind[kind]
               if t["result"].get("gap_gone_ms") is not None and t["result"]["gap_gone_ms"] <= 0]
        figures = (f"{stopped}/{len(items)} ({100 * stopped / len(items):.0f}%); gap from the worker's process gone to the new lease: "
                   f"min {ms(min(gone, default=None), 1)} ms, median {ms(percentile(gone, 0.5), 1)} ms; from its last stamp: "
                   f"min {ms(min(stamp, default=None), 1)} ms, median {ms(percentile(stamp, 0.5), 1)} ms")
        if len(complete) < len(items):
            figures += f"; {len(items) - len(complete)} trial(s) incomplete"
        if bad:
            figures += "; NOT stopped: " + ", ".join(bad)
        ok = stopped == len(items)
        all_faults += len(items)
        all_stopped += stopped
        rows.append((f"{label}: old leader's worker stopped before the new leader's lease began", len(items), figures, "100% of trials", app_verdict(ok)))
    if all_faults:
        gaps = [r["gap_gone_ms"] for kind, _ in APP_FAULTS for r in results(kind) if r.get("gap_gone_ms") is not None]
        targets.append(("Old leader's worker stopped before the new leader's lease: 100% (kill -9, SIGSTOP, isolation of the node)",
                        f"{all_stopped}/{all_faults} trials; smallest gap {ms(min(gaps, default=None), 1)} ms", app_verdict(all_stopped == all_faults)))
    # (b) worker crash to the first stamp of a new worker
    crash = results("worker-crash")
    start = next((r["result"] for r in by_kind.get("worker-start", [])), None)
    if crash:
        times = values([r for r in crash if r.get("complete")], "new_stamp_ms")
        start_ms = start["median_ms"] if start else None
        target = 50 + (start_ms or 0)
        target_text = (f"p99 <= 50 ms + one worker start ({start_ms:.1f} ms, median of {start['samples']} measured: fork, exec, first stamp) = {target:.1f} ms"
                       if start else "p99 <= 50 ms + one worker start (not measured)")
        lease = values(crash, "new_lease_ms")
        figures = f"{p50_p99(times)}; new leader's lease acquired {p50_p99(lease)}"
        if len(times) < len(crash):
            figures += f"; {len(crash) - len(times)} trial(s) incomplete"
        ok = bool(times) and len(times) == len(crash) and percentile(times, 0.99) <= target
        rows.append(("worker crash (kill -9 of the leader's worker): time to the first stamp of a new worker with a higher token", len(crash), figures, target_text, app_verdict(ok)))
        targets.append(("Worker crash to a running worker on the new leader: " + target_text, f"{p50_p99(times)} over {len(crash)} trials", app_verdict(ok)))
    # (c) health failure to a new leader
    for kind, label in APP_HEALTH:
        trials = by_kind.get(kind, [])
        items = results(kind)
        if not items:
            continue
        interval, fall = trials[0].get("health_interval_ms", 1000), trials[0].get("health_fall", 3)
        target = (fall + 1) * interval + 50
        times = values([r for r in items if r.get("complete")], "new_claim_ms")
        lease = values(items, "new_lease_ms")
        gone = values(items, "gap_gone_ms")
        stopped = sum(1 for g in gone if g > 0)
        figures = (f"new leader claims (polled every 5 ms) {p50_p99(times)}; lease acquired (event log) {p50_p99(lease)}; "
                   f"old worker stopped before the new lease in {stopped}/{len(items)} (min gap {ms(min(gone, default=None), 1)} ms)")
        if len(times) < len(items):
            figures += f"; {len(items) - len(times)} trial(s) incomplete"
        target_text = f"p99 <= (fall + 1) x interval + 50 ms = ({fall} + 1) x {interval} + 50 = {target} ms"
        ok = bool(times) and len(times) == len(items) and percentile(times, 0.99) <= target
        rows.append((f"{label} to a new leader (check every {interval} ms, fall {fall}, rise {trials[0].get('health_rise')})", len(items), figures, target_text, app_verdict(ok)))
        targets.append((f"Health failure ({kind.split('-')[1]}) to a new leader: {target_text}", f"{p50_p99(times)} over {len(items)} trials", app_verdict(ok)))
    # (d) leader changes under a flaky check
    for record in by_kind.get("flaky", []):
        window = record.get("window") or {}
        changes = window.get("leader_changes")
        interval, fall, rise = record.get("health_interval_ms", 1000), record.get("health_fall", 3), record.get("health_rise", 2)
        checks = record.get("checks_passed", 0) + record.get("checks_failed", 0)
        failed_pct = 100 * record.get("checks_failed", 0) / checks if checks else 0
        per_node = checks / 3 if checks else record["seconds"] * 1000 / interval
        expected = unhealthy_episodes_per_check(FLAKY_FAILURE, fall, rise) * per_node
        by_node = ", ".join(f"{node} {count}" for node, count in sorted((window.get("unhealthy_by_node") or {}).items())) or "none"
        figures = (f"{changes} leader change{'' if changes == 1 else 's'} in {record['seconds']} s; "
                   f"{window.get('unhealthy_transitions')} unhealthy transition{'' if window.get('unhealthy_transitions') == 1 else 's'} ({by_node}); "
                   f"{record.get('checks_failed', 0)} of {checks} checks failed ({failed_pct:.0f}%); with independent failures at 30% the "
                   f"hysteresis lets a node turn unhealthy {expected:.1f} times in that window on average")
        rows.append((f"health check failing 30% of the time at random on every node ({record['settings']})", 1, figures,
                     "0 leader changes (goal)", app_verdict(changes == 0)))
        targets.append((f"Leader changes with a health check failing 30% at random ({record['settings']}): goal 0",
                        f"{changes} in {record['seconds']} s", app_verdict(changes == 0)))
    checks = by_kind.get("singleton-check", [])
    if checks:
        passed = sum(1 for c in checks if c.get("passed"))
        detail = "; ".join(c.get("summary", "").strip().split("\n")[0] for c in checks)
        rows.append(("workers' running intervals never overlap, tokens only grow (check-singleton over each session's worker file)",
                     len(checks), f"{passed}/{len(checks)} sessions pass: {detail}", "every session", app_verdict(passed == len(checks))))

    table = ["| measure | trials | measured | target | verdict |", "|---|---:|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]

    detail = ["| trial kind | trials | old worker gone after the fault: median | new lease after the fault: median / max | "
              "new leader claims: median | new worker's first stamp: median | gap worker gone -> new lease: min / median | "
              "gap last stamp -> new lease: min / median | old lease end -> new lease: min |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for kind in [k for k, _ in APP_FAULTS] + ["worker-crash"] + [k for k, _ in APP_HEALTH]:
        items = results(kind)
        if not items:
            continue
        def med(key):
            return ms(percentile(values(items, key), 0.5), 1)
        def low_mid(key):
            v = values(items, key)
            return f"{ms(min(v, default=None), 1)} / {ms(percentile(v, 0.5), 1)}"
        lease = values(items, "new_lease_ms")
        detail.append(f"| {kind} | {len(items)} | {med('old_gone_ms')} | {ms(percentile(lease, 0.5), 1)} / {ms(max(lease, default=None), 1)} | "
                      f"{med('new_claim_ms')} | {med('new_stamp_ms')} | {low_mid('gap_gone_ms')} | {low_mid('gap_stamp_ms')} | "
                      f"{ms(min(values(items, 'lease_gap_ms'), default=None), 1)} |")

    md = ["## 7. Application binding (`tenure run` beside each of 3 nodes, default profile)", "",
          "Three Tenure nodes (heartbeat 100 ms, election timeout 1000-1100 ms, default lease 930 ms), each with "
          "`tenure run --endpoint <its API> -- tenure-lab singleton-worker` beside it in its namespace (`tenure run`'s defaults: "
          "poll 20 ms, margin 50 ms, grace 100 ms). Every worker appends `NODE TOKEN CLOCK_MONOTONIC_NS` to one shared file every 5 ms. "
          "`tenure-lab app-binding trial` injects each fault itself and reads every instant from the one system-wide CLOCK_MONOTONIC: "
          "*worker gone* is the first 1-ms poll of `/proc/PID/stat` that found the old worker exited (or a zombie), an upper bound of its "
          "death, so \"stopped before the new lease\" is counted conservatively; its *last stamp* is a lower bound (it certainly ran then). "
          "*New lease* is the new leader's first `lease` event of the later term in its event log (`acquired: true`); *claims* is the first "
          "poll (every node every 5 ms) answering `is_leader: true` in a later term. Times are from the fault: the signal, or the return "
          "of the command (iptables-restore, `touch` of the file the health check tests, the `PUT /v1/health` answer). "
          "For kill -9 and SIGSTOP of the node nothing tells `tenure run` anything: it stops its worker at its own deadline because the "
          "node stops answering. Percentiles are nearest-rank (with under 100 trials p99 is the maximum).", ""]
    md += table + ["", "Per trial kind (ms):", ""] + detail + [""]
    out = ["Application binding", ""] + table + [""] + detail + [""]
    return targets, md, out


# ------------------------------------------------------------------------------------------------


LAPSE_PHASES = (("idle window", "idle"), ("wrk", "client load"), ("one follower's CPU saturated", "one follower's CPU saturated"))


def lease_lapse_text(idle, stability):
    """Tenure's lease lapses per phase of the 3-node default session: (text, all zero or None)."""
    phases = [dict(r, phase="idle window") for r in idle] + list(stability)
    parts, total, seen = [], 0, 0
    for phase, label in LAPSE_PHASES:
        group = [r for r in phases if r["system"] == "tenure" and r["nodes"] == 3 and r["profile"] == "default"
                 and r.get("phase") == phase and "lease_lapses" in r]
        if not group:
            parts.append(f"{label} not measured")
            continue
        count = sum(r["lease_lapses"] for r in group)
        seconds = sum(r.get("seconds", 0) for r in group)
        total += count
        seen += 1
        parts.append(f"{label} {count}" + (f" in {seconds} s" if seconds else ""))
    return "; ".join(parts), (total == 0) if seen else None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = sys.argv[1]
    run = {}
    run_path = os.path.join(directory, "raw", "run.json")
    if os.path.exists(run_path):
        with open(run_path) as handle:
            run = json.load(handle)
    failover = load(directory, "failover")
    handoff = load(directory, "handoff")
    isolate = load(directory, "isolate")
    idle = load(directory, "idle")
    wrk = load(directory, "wrk")
    stability = load(directory, "stability")
    core = load(directory, "core")
    app_targets, app_md, app_out = app_binding_section(load(directory, "app-binding"))

    failover_rows = timing_rows(failover)
    handoff_rows = timing_rows(handoff)
    md = []
    out = []  # the part printed to stdout
    kind = "quick" if run.get("quick") else "full"
    md.append(f"# Tenure benchmarks ({kind} run, {run.get('started', '?')})")
    md.append("")
    duration = run.get("duration_seconds")
    md.append(f"- Machine: {run.get('cpus', '?')} CPUs, kernel {run.get('kernel', '?')}; load average at start {run.get('load_start', '?')}, at end {run.get('load_end', '?')}.")
    md.append(f"- Tenure {run.get('tenure_commit', '?')}; etcd {run.get('etcd_version') or 'not run'}"
              + (f" ({run.get('etcd_note')})" if run.get("etcd_note") else "")
              + f", `--pre-vote={run.get('etcd_pre_vote', '?')}`"
              + (" (plus one session with `--pre-vote=false`, etcd 3.4's shipped default)." if any(r.get("variant") for r in failover) else "."))
    md.append(f"- Duration {duration // 60}m{duration % 60:02d}s (estimated {run.get('estimate_seconds', 0) // 60}m{run.get('estimate_seconds', 0) % 60:02d}s)." if duration is not None else "- Duration: unknown.")
    md.append(f"- Profiles: **default** = Tenure `{run.get('profile_default_tenure', '')}` vs etcd `--heartbeat-interval 100 --election-timeout 1000`; "
              f"**fast** = Tenure `{run.get('profile_fast_tenure', '')}` vs etcd `--heartbeat-interval 50 --election-timeout 300`. "
              "Equal minimum election timeout = equal tolerance for missed heartbeats. Tenure draws each election timeout from "
              "the range above; etcd from [min, 2 x min), counted in heartbeat ticks that are not aligned with the heartbeats' "
              "arrival, so etcd's effective minimum is up to one heartbeat interval shorter than the configured one (visible in the minima below).")
    md.append("- Real processes, one network namespace per node joined by a bridge; times measured by `tenure-lab bench-probe` on CLOCK_MONOTONIC, "
              "polling every survivor every 5 ms. Percentiles are nearest-rank (with 30 trials, p99 = max).")
    stalls = load(directory, "stalls")
    long_stalls = [x["stall_ms"] for x in stalls if x["stall_ms"] >= STALL_MS]
    md.append(f"- Disturbance check: a monitor thread sleeping 5 ms at a time saw {len(stalls)} scheduling stalls over 50 ms "
              f"({len(long_stalls)} over {STALL_MS} ms, worst {max([x['stall_ms'] for x in stalls], default=0):.0f} ms). "
              f"Trials during which it saw a stall over {STALL_MS} ms are counted as *disturbed* (kept in every figure).")
    md.append("")

    # Targets first: the verdicts, with numbers.
    targets = []

    def verdict(ok):
        return "met" if ok else "**missed**"

    t = failover_rows.get((3, "default", "tenure"))
    references = [("etcd", "etcd with Pre-Vote on (etcd 3.5+ default; Tenure has Pre-Vote)"),
                  ("etcd (pre-vote off)", "etcd 3.4 as shipped (Pre-Vote off)")]
    compared = False
    for key, label in references:
        e = failover_rows.get((3, "default", key))
        if not (t and e and t[0] and e[0]):
            continue
        compared = True
        ts, es = summary(t[0]), summary(e[0])
        median_ratio = ts["median"] / es["median"]
        p99_ratio = ts["p99"] / es["p99"]
        low, high = bootstrap_ratio(t[0], e[0], 0.5)
        targets.append((f"Crash failover, 3 nodes, etcd's default timings, Tenure's defaults: median <= 0.4 x {label}",
                        f"Tenure {ms(ts['median'])} ms vs {ms(es['median'])} ms = {ratio_text(median_ratio, 0.4)} "
                        f"(95% bootstrap interval {low:.2f}-{high:.2f}; n={ts['n']}/{es['n']})", verdict(median_ratio <= 0.4)))
        low, high = bootstrap_ratio(t[0], e[0], 0.99)
        targets.append((f"Crash failover, 3 nodes, etcd's default timings, Tenure's defaults: p99 <= 0.4 x {label}",
                        f"Tenure {ms(ts['p99'])} ms vs {ms(es['p99'])} ms = {ratio_text(p99_ratio, 0.4)} "
                        f"(95% bootstrap interval {low:.2f}-{high:.2f}; with {min(ts['n'], es['n'])} trials the p99 is the maximum)"
                        if min(ts["n"], es["n"]) < 100 else f"(95% bootstrap interval {low:.2f}-{high:.2f})", verdict(p99_ratio <= 0.4)))
    if not compared:
        targets.append(("Crash failover vs etcd", "not measured (etcd or trials missing)", "not measured"))
    h = handoff_rows.get((3, "default", "tenure"))
    if h and h[0]:
        hs = summary(h[0])
        targets.append(("Graceful handoff: p99 <= 50 ms", f"p99 {ms(hs['p99'], 1)} ms over {hs['n']} trials, {h[1]} failed",
                        verdict(hs["p99"] <= 50 and h[1] == 0)))
    tenure_isolation = [r for r in isolate if r["system"] == "tenure"]
    if tenure_isolation:
        duals = [r["result"].get("dual_ms") for r in tenure_isolation]
        incomplete = sum(1 for r in tenure_isolation if not r["result"].get("complete"))
        worst = max((d for d in duals if d is not None), default=None)
        nonzero = sum(1 for d in duals if d is None or d > 0)
        gaps = [r["result"].get("lease_gap_ms") for r in tenure_isolation if r["result"].get("lease_gap_ms") is not None]
        gap_text = f"; lease gap from the event logs min {min(gaps):.0f} ms" if gaps else ""
        targets.append(("Dual-leader window 0 in every trial", f"{len(duals) - nonzero}/{len(duals)} trials at 0, worst {ms(worst, 1)} ms{gap_text}"
                        + (f"; {incomplete} trial(s) incomplete" if incomplete else ""), verdict(nonzero == 0 and incomplete == 0)))
    idle_t = next((r for r in idle if r["system"] == "tenure" and r["nodes"] == 3 and r["profile"] == "default"), None)
    idle_e = next((r for r in idle if r["system"] == "etcd" and r["nodes"] == 3 and r["profile"] == "default"), None)
    if idle_t and idle_e:
        ft, fe = idle_figures(idle_t), idle_figures(idle_e)
        cpu_ratio = ft["cpu_avg"] / fe["cpu_avg"] if fe["cpu_avg"] > 0 else float("inf")
        rss_ratio = ft["rss_avg"] / fe["rss_avg"]
        targets.append(("Idle CPU per node <= 1/3 of etcd", f"Tenure {ft['cpu_avg']:.2f}% vs etcd {fe['cpu_avg']:.2f}% = {cpu_ratio:.2f}x", verdict(cpu_ratio <= 1 / 3)))
        targets.append(("Idle RSS per node <= 1/3 of etcd", f"Tenure {ft['rss_avg']:.1f} MiB vs etcd {fe['rss_avg']:.1f} MiB = {rss_ratio:.2f}x "
                        f"(proportional set size {ft['pss_avg']:.1f} vs {fe['pss_avg']:.1f} MiB, anonymous memory {ft['anon_avg']:.1f} vs {fe['anon_avg']:.1f} MiB)",
                        verdict(rss_ratio <= 1 / 3)))
    paced = [r for r in wrk if r["path"] == "/v1/leader" and r.get("mode") == "paced"]
    saturated = [r for r in wrk if r["path"] == "/v1/leader" and r.get("mode") == "saturate" and r["connections"] == 100]
    if paced:
        r = paced[0]
        ceiling = f"; saturated: {saturated[0]['rps']:,.0f} req/s at p99 {saturated[0]['p99_ms']:.2f} ms" if saturated else ""
        targets.append((">= 20,000 leader queries/s on one node, p99 < 2 ms",
                        f"{r['rps']:,.0f} req/s at p99 {r['p99_ms']:.2f} ms ({r['connections']} keep-alive connections, paced){ceiling}",
                        verdict(r["rps"] >= 20000 and r["p99_ms"] < 2 and r["non2xx"] == 0 and r["socket_errors"] == 0)))
    # A leader change here means a different leader or a new term (a re-election, even of the same
    # node, is an interval with no leader) in a phase that neither killed nor isolated the leader.
    def changes_of(system):
        phases = [dict(r, phase="idle window") for r in idle if r["system"] == system] + [r for r in stability if r["system"] == system]
        return phases, [r for r in phases if r.get("leader_changed")]
    tenure_phases, tenure_changes = changes_of("tenure")
    etcd_phases, etcd_changes = changes_of("etcd")
    etcd_text = f"; etcd for comparison: {len(etcd_changes)} in {len(etcd_phases)}" if etcd_phases else ""
    def stall_text(record):
        stall = record.get("stall_max_ms", 0)
        return f" (machine stalled {stall:.0f} ms meanwhile)" if stall >= STALL_MS else ""
    detail = "".join(f"; {c['nodes']}n {c['profile']} {c.get('phase')}: {c.get('before', '')} -> {c.get('after', '')}{stall_text(c)}" for c in tenure_changes)
    targets.append(("No false leader change (idle, client load, restarting a killed node, healing an isolation)",
                    f"Tenure: {len(tenure_changes)} leader changes or re-elections in {len(tenure_phases)} checked phases{detail}{etcd_text}",
                    verdict(not tenure_changes) if tenure_phases else "not measured"))
    lapse_text, lapse_ok = lease_lapse_text(idle, stability)
    targets.append(("No lease lapse (is_leader false while the node stays leader): idle, client load, one follower's CPU saturated",
                    lapse_text, verdict(lapse_ok) if lapse_ok is not None else "not measured"))
    targets += app_targets
    target_lines = ["| target | measured | verdict |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in targets]
    md.append("## Targets")
    md.append("")
    md += target_lines
    md.append("")
    out += ["Targets", ""] + target_lines + [""]

    md.append("## 1. Crash failover (kill -9 the leader; ms from the kill to the first survivor naming a new leader)")
    md.append("")
    lines = timing_table(failover_rows, "configuration")
    md += lines
    md.append("")
    md.append(f"Lease lapses beside failover (Tenure, 3 nodes, default profile): {lapse_text}.")
    md.append("")
    md.append("![failover CDF](failover-cdf.svg)")
    md.append("")
    out += ["Crash failover (ms)", ""] + lines + [""]

    md.append("## 2. Graceful handoff (SIGTERM to the leader; ms to a new leader)")
    md.append("")
    lines = timing_table(handoff_rows, "configuration")
    md += lines
    md.append("")
    out += ["Graceful handoff (ms)", ""] + lines + [""]

    md.append("## 3. Isolated leader (iptables DROP on the leader's peer port; its client port stays reachable)")
    md.append("")
    md.append("Times from the moment the rules were in place. *Old leader stops*: first answer of the old leader not claiming "
              "leadership after its last claim. *Majority elects*: first answer of another node claiming leadership. "
              "*Dual-leader window*: time during which two nodes' claim intervals (first to last claiming answer, every 5 ms) overlapped, "
              "as the probes saw it. *Lease gap* (Tenure only, from the nodes' event logs on the shared monotonic clock): new lease start "
              "minus old lease end; positive means the leases never overlapped.")
    md.append("")
    lines = ["| system | trials | old leader stops: median / max | majority elects: median / max | dual-leader window: median / max | trials with a dual window | lease gap: min / median |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for system in ("tenure", "etcd"):
        records = [r["result"] for r in isolate if r["system"] == system]
        if not records:
            continue
        stops = [r["old_stop_ms"] for r in records if r.get("old_stop_ms") is not None]
        elected = [r["elected_ms"] for r in records if r.get("elected_ms") is not None]
        duals = [r["dual_ms"] for r in records if r.get("dual_ms") is not None]
        gaps = [r["lease_gap_ms"] for r in records if r.get("lease_gap_ms") is not None]
        s_stop, s_elect, s_dual = summary(stops), summary(elected), summary(duals)
        def pair(s, digits=0):
            return f"{ms(s['median'], digits)} / {ms(s['max'], digits)}" if s else "-"
        gap_text = f"{ms(min(gaps))} / {ms(percentile(gaps, 0.5))}" if gaps else "-"
        lines.append(f"| {system} | {len(records)} | {pair(s_stop)} | {pair(s_elect)} | {pair(s_dual, 1)} | {sum(1 for d in duals if d > 0)} | {gap_text} |")
    md += lines
    md.append("")
    out += ["Isolated leader (ms)", ""] + lines + [""]

    md.append("## 4. Idle cost (stable leader; CPU % of one core and RSS per node)")
    md.append("")
    md.append("CPU from /proc/PID/stat over the window; RSS sampled every second (VmRSS); PSS and anonymous memory from "
              "/proc/PID/smaps_rollup at the end. RSS counts every resident page of shared libraries in full for every process; "
              "PSS divides shared pages among the processes that map them; anonymous is the process's own heap and stacks.")
    md.append("")
    lines = ["| system | nodes | profile | window | CPU/node avg | leader CPU | follower CPU | RSS/node avg (MiB) | RSS max | PSS/node (MiB) | anonymous/node (MiB) | heartbeat messages/s sent by leader | peer messages/s (all nodes) | leader changed |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for record in sorted(idle, key=lambda r: (r["profile"] != "default", r["nodes"], r["system"] != "tenure")):
        f = idle_figures(record)
        hb = f"{f['heartbeats_per_second']:.1f}" if f["heartbeats_per_second"] is not None else "-"
        mps = f"{f['messages_per_second']:.1f}" if f["messages_per_second"] is not None else "-"
        lines.append(f"| {record['system']} | {record['nodes']} | {record['profile']} | {f['seconds']:.0f} s | {f['cpu_avg']:.2f}% | "
                     f"{ms(f['cpu_leader'], 2)}% | {ms(f['cpu_follower'], 2)}% | {f['rss_avg']:.1f} | {f['rss_max']:.1f} | {f['pss_avg']:.1f} | {f['anon_avg']:.1f} | {hb} | {mps} | {'yes' if f['leader_changed'] else 'no'} |")
    md += lines
    md.append("")
    out += ["Idle cost", ""] + lines + [""]

    handshakes = load(directory, "handshake")
    if handshakes:
        md.append("Peer authentication (issue 10): time from TCP connect to the initiator's proof on the wire (hello, "
                  "challenge with the responder's HMAC proof, checking it, sending ours), 200 handshakes from one follower's "
                  "namespace to another's:")
        md.append("")
        lines = ["| nodes | profile | handshakes | median (µs) | p99 (µs) | max (µs) | failures |", "|---:|---|---:|---:|---:|---:|---:|"]
        for r in handshakes:
            h = r["result"]
            lines.append(f"| {r['nodes']} | {r['profile']} | {h['count']} | {h['median_us']} | {h['p99_us']} | {h['max_us']} | {h['failures']} |")
        md += lines
        md.append("")
        out += ["Peer handshake", ""] + lines + [""]

    md.append("## 5. Client load (wrk against the leader's API, keep-alive connections)")
    md.append("")
    lines = ["| mode | path | connections | wrk threads | seconds | requests/s | p50 (ms) | p90 (ms) | p99 (ms) | non-2xx | socket errors | other work's CPU |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in wrk:
        mode = r.get("mode", "saturate")
        if mode == "paced":
            mode = f"paced ({r.get('delay_ms')} ms between requests per connection)"
        lines.append(f"| {mode} | {r['path']} | {r['connections']} | {r['threads']} | {r['seconds']} | {r['rps']:,.0f} | {r['p50_ms']:.3f} | {r['p90_ms']:.3f} | {r['p99_ms']:.3f} | {r['non2xx']} | {r['socket_errors']} | {str(r['other_cpu_percent']) + '%' if 'other_cpu_percent' in r else '-'} |")
    md += lines
    md.append("")
    md.append("wrk runs in the leader's own namespace and shares the 2 CPUs with the node under test (and with the two other nodes). "
              "*saturate*: each connection sends its next request as soon as the answer arrives, so throughput is the ceiling and "
              "latency is mostly queueing behind the other connections. *paced*: each connection waits a fixed delay between requests "
              "(wrk's `delay()` hook), offering about connections / delay requests per second; this is the latency a client sees at that rate. "
              "*Other work's CPU*: CPU used meanwhile by processes that are neither these nodes nor wrk (other builds and tests on a "
              "shared machine), in % of one core; a high value means the figures on that row are disturbed.")
    md.append("")
    out += ["Client load", ""] + lines + [""]

    md.append("## Leader stability where nothing should change")
    md.append("")
    md.append("After every restart of a killed or handed-off node and every heal of an isolation, the bench waits for one "
              "leader everywhere and compares it with the leader the probe saw first; idle windows and client load are checked "
              "the same way. A new term counts as a change even when the same node wins it.")
    md.append("")
    lines = ["| system | phase | checks | leader changes or re-elections | examples (before -> after, leader/term) |", "|---|---|---:|---:|---|"]
    for system in ("tenure", "etcd"):
        phases, changed = changes_of(system)
        names = sorted({p.get("phase", "idle window") for p in phases})
        for name in names:
            group = [p for p in phases if p.get("phase", "idle window") == name]
            bad = [p for p in group if p.get("leader_changed")]
            examples = ", ".join(f"{p['nodes']}n {p['profile']}: {p.get('before', '?')} -> {p.get('after', '?')}{stall_text(p)}" for p in bad[:3])
            lines.append(f"| {system} | {name} | {len(group)} | {len(bad)} | {examples} |")
    md += lines
    md.append("")
    out += ["Leader stability", ""] + lines + [""]

    md.append("## 6. Scale")
    md.append("")
    md.append("Real processes, default profile: idle CPU per node and crash failover against cluster size.")
    md.append("")
    lines = ["| nodes | Tenure CPU/node | Tenure RSS/node (MiB) | Tenure heartbeat messages/s | Tenure failover median / max (ms) | etcd CPU/node | etcd RSS/node (MiB) | etcd failover median / max (ms) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    sizes = sorted({r["nodes"] for r in idle if r["profile"] == "default"})
    for nodes in sizes:
        cells = [str(nodes)]
        for system in ("tenure", "etcd"):
            record = next((r for r in idle if r["system"] == system and r["nodes"] == nodes and r["profile"] == "default"), None)
            f = idle_figures(record) if record else None
            times = failover_rows.get((nodes, "default", system), ([], 0, 0))[0]
            s = summary(times)
            fo = f"{ms(s['median'])} / {ms(s['max'])} (n={s['n']})" if s else "-"
            if system == "tenure":
                cells += [f"{f['cpu_avg']:.2f}%" if f else "-", f"{f['rss_avg']:.1f}" if f else "-",
                          f"{f['heartbeats_per_second']:.1f}" if f else "-", fo]
            else:
                cells += [f"{f['cpu_avg']:.2f}%" if f else "-", f"{f['rss_avg']:.1f}" if f else "-", fo]
        lines.append("| " + " | ".join(cells) + " |")
    md += lines
    md.append("")
    out += ["Scale, real processes", ""] + lines + [""]
    md.append("In-process cores (`tenure-lab bench-core`): N election cores in one process, messages delivered synchronously, "
              "persistence a no-op; steady heartbeat rounds after an election. This is the protocol's own cost, without sockets, "
              "JSON or HTTP.")
    md.append("")
    lines = ["| nodes | messages per round | core CPU per round (ns) | leader (ns) | one follower (ns) | % of one core at 100 ms heartbeats |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(core, key=lambda r: r["nodes"]):
        lines.append(f"| {r['nodes']} | {r['messages_per_round']:.0f} | {r['core_cpu_ns_per_round']:,.0f} | {r['leader_ns_per_round']:,.0f} | "
                     f"{r['follower_ns_per_round']:,.0f} | {r['core_cpu_percent_of_one_core']:.4f}% |")
    md += lines
    md.append("")
    md.append("![cost vs cluster size](cost-vs-size.svg)")
    md.append("")
    out += ["Scale, in-process cores", ""] + lines + [""]

    if failover_chart(os.path.join(directory, "failover-cdf.svg"), failover_rows):
        pass
    cost_chart(os.path.join(directory, "cost-vs-size.svg"), idle, core, failover_rows)

    md += app_md
    out += app_out

    md.append("## Reproduce")
    md.append("")
    md.append("```")
    md.append("cluster/bench --quick     # under 3 minutes")
    md.append("cluster/bench             # full run; prints its estimated duration first")
    md.append("```")
    md.append("Raw records (one JSON object per trial) are in `raw/`.")
    with open(os.path.join(directory, "results.md"), "w") as handle:
        handle.write("\n".join(md) + "\n")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
