//! The results file as Markdown tables: for every target the median of its rounds, each hold
//! figure relative to the pgbench limit of the same scenario, client count and round (median,
//! with the lowest and highest round).

use super::{Outcome, Scenario, Target};
use anyhow::Context;
use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write as _,
    path::Path,
};

pub fn print(path: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let runs: Vec<Outcome> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let limit: HashMap<(Scenario, usize, u32), f64> = runs
        .iter()
        .filter(|r| r.target == Target::Limit && r.per_second > 0.0)
        .map(|r| ((r.scenario, r.clients, r.round), r.per_second))
        .collect();
    // (scenario, clients, target, first appearance of the label) -> the rounds of one target.
    let mut groups: BTreeMap<(Scenario, usize, Target, usize), Vec<&Outcome>> = BTreeMap::new();
    let mut order: HashMap<&str, usize> = HashMap::new();
    for r in &runs {
        let next = order.len();
        let seen = *order.entry(r.label.as_str()).or_insert(next);
        groups
            .entry((r.scenario, r.clients, r.target, seen))
            .or_default()
            .push(r);
    }
    let rounds = runs.iter().map(|r| r.round).max().unwrap_or(1);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Medians of {rounds} round(s); answer counts are totals over them.\n\n\
         | scenario | clients | target | per s | vs limit | p50 ms | p99 ms | ok | 409 | other |\n\
         |---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for group in groups.values() {
        let r = group[0];
        let ratios: Vec<f64> = group
            .iter()
            .filter(|g| g.scenario.holds())
            .filter_map(|g| Some(g.per_second / limit.get(&(g.scenario, g.clients, g.round))?))
            .collect();
        let ratio = match (median(&ratios), min_max(&ratios)) {
            (Some(m), Some((lo, hi))) if ratios.len() > 1 => format!("{m:.2} ({lo:.2}-{hi:.2})"),
            (Some(m), _) => format!("{m:.2}"),
            _ => "-".to_owned(),
        };
        let optional = |f: fn(&Outcome) -> Option<f64>| {
            let values: Vec<f64> = group.iter().filter_map(|g| f(g)).collect();
            median(&values).map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
        };
        let total = |f: fn(&Outcome) -> u64| group.iter().map(|g| f(g)).sum::<u64>();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            r.scenario.name(),
            r.clients,
            r.label,
            median_by(group, |g| g.per_second),
            ratio,
            optional(|g| g.p50_ms.or(g.mean_ms)),
            optional(|g| g.p99_ms),
            total(|g| g.ok),
            total(|g| g.refused),
            total(|g| g.other),
        );
    }
    let _ = writeln!(
        out,
        "\nThe limit's p50 column is pgbench's mean latency of a claim-and-release cycle.\n\n\
         CPU cores busy on average, medians (2 = the whole machine):\n\n\
         | scenario | clients | target | load generator | server | postgres | machine |\n\
         |---|---:|---|---:|---:|---:|---:|"
    );
    for group in groups.values() {
        let r = group[0];
        let server: Vec<f64> = group.iter().filter_map(|g| g.cpu.server).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2} | {} | {:.2} | {:.2} |",
            r.scenario.name(),
            r.clients,
            r.label,
            median_by(group, |g| g.cpu.bench),
            median(&server).map_or_else(|| "-".to_owned(), |c| format!("{c:.2}")),
            median_by(group, |g| g.cpu.postgres),
            median_by(group, |g| g.cpu.machine),
        );
    }
    server_medians(&mut out, &groups);
    activity(&mut out, &groups);
    print!("{out}");
    Ok(())
}

/// The pages' own latency, as the server measured it.
fn server_medians(
    out: &mut String,
    groups: &BTreeMap<(Scenario, usize, Target, usize), Vec<&Outcome>>,
) {
    for group in groups.values().filter(|g| g[0].scenario == Scenario::Pages) {
        let r = group[0];
        let _ = writeln!(
            out,
            "\nServer-side median per page ({}, {} clients), ms:\n\n| route | p50 ms |\n|---|---:|",
            r.label, r.clients
        );
        let mut routes: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for g in group {
            for (route, ms) in &g.server_p50_ms {
                routes.entry(route).or_default().push(*ms);
            }
        }
        for (route, values) in routes {
            let _ = writeln!(out, "| `{route}` | {:.2} |", median(&values).unwrap_or(0.0));
        }
    }
}

/// Where PostgreSQL's backends spent the measurement, for the many-shows holds.
fn activity(out: &mut String, groups: &BTreeMap<(Scenario, usize, Target, usize), Vec<&Outcome>>) {
    for group in groups
        .values()
        .filter(|g| g[0].scenario == Scenario::ManyShows)
    {
        let r = group[0];
        let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
        for g in group {
            for (what, n) in &g.activity {
                *seen.entry(what).or_insert(0) += n;
            }
        }
        let total: u64 = seen.values().sum();
        if total == 0 {
            continue;
        }
        let mut top: Vec<(&str, u64)> = seen.into_iter().collect();
        top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let _ = writeln!(
            out,
            "\nBackends not idle, sampled every 20 ms from `pg_stat_activity` ({}, {} clients; share of samples):\n\n\
             | state, wait, statement | share |\n|---|---:|",
            r.label, r.clients
        );
        for (what, n) in top.into_iter().take(6) {
            let _ = writeln!(
                out,
                "| `{}` | {:.0}% |",
                what.replace('|', "/"),
                100.0 * n as f64 / total as f64
            );
        }
    }
}

/// The median of one figure over a target's rounds.
fn median_by(group: &[&Outcome], figure: fn(&Outcome) -> f64) -> f64 {
    median(&group.iter().map(|g| figure(g)).collect::<Vec<_>>()).unwrap_or(0.0)
}

pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    let lo = values.iter().copied().reduce(f64::min)?;
    let hi = values.iter().copied().reduce(f64::max)?;
    Some((lo, hi))
}
