//! A theater's sales report (table, SVG charts drawn on the server, CSV) and its audit log.

use super::{path_id, query, staff_page, TheaterTabs, CARD, INPUT, LABEL, QUIET};
use crate::components::status::EmptyState;
use crate::dashboard::{
    functions::{audit_log, theater_report, AuditPage as Audit, ReportPage, AUDIT_PER_PAGE},
    ReportGroup, SalesLine,
};
use crate::i18n::{format, t, t_with, Arg};
use crate::money;
use crate::pages::data::resource;
use leptos::prelude::*;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let id = path_id();
    let (from, to, group) = (query("from"), query("to"), query("group"));
    let data = resource(
        move || (id(), from(), to(), group()),
        |(id, from, to, group)| {
            theater_report(
                id.unwrap_or_default(),
                from.and_then(|d| d.parse().ok()),
                to.and_then(|d| d.parse().ok()),
                group.and_then(|g| ReportGroup::parse(&g)),
            )
        },
    );
    staff_page(data, |page: ReportPage| {
        let ReportPage { theater, report } = page;
        let span = format!(
            "theater_id={}&from={}&to={}",
            theater.id, report.from, report.to
        );
        let csv = format!(
            "/api/v1/admin/reports/sales?{span}&group={}&format=csv",
            report.group.as_str()
        );
        let currency = report.currency.clone();
        // The charts are images: their words come in the page's language.
        let lang = crate::i18n::use_lang().as_str();
        view! {
            <TheaterTabs theater current="dash-tab-reports" />
            <section class="flex flex-col gap-4">
                <form method="get" class="flex flex-wrap items-end gap-2">
                    <label class=LABEL>{t("dash-from")}<input type="date" name="from" value=report.from.to_string() class=INPUT /></label>
                    <label class=LABEL>{t("dash-to")}<input type="date" name="to" value=report.to.to_string() class=INPUT /></label>
                    <label class=LABEL>
                        {t("dash-by-group")}
                        <select name="group" class=INPUT>
                            {[ReportGroup::Day, ReportGroup::Movie, ReportGroup::Screen, ReportGroup::Show].map(|g| view! {
                                <option value=g.as_str() selected=g == report.group>{t(&format!("dash-group-{}", g.as_str()))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class=QUIET>{t("dash-show-report")}</button>
                    <a href=csv class=QUIET download>{t("dash-csv")}</a>
                </form>
                <p class="text-sm text-slate-600">{t_with("dash-report-zone", &[("zone", Arg::Text(&report.time_zone))])}</p>
                // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
                <div class="overflow-x-auto" tabindex="0" role="region" aria-label=t("dash-report-table")>
                    <table class="w-full min-w-[36rem] text-left text-sm" data-testid="report-table">
                        <thead class="border-b border-slate-300 text-slate-600">
                            <tr><th class="py-2">""</th><th>{t("dash-col-shows")}</th><th>{t("dash-col-sold")}</th><th>{t("dash-col-occupancy")}</th><th>{t("dash-col-gross")}</th><th>{t("dash-col-refunds")}</th><th>{t("dash-col-fees")}</th><th>{t("dash-col-net")}</th><th>{t("dash-col-discounts")}</th><th>{t("dash-col-food")}</th><th>{t("dash-col-waitlist")}</th></tr>
                        </thead>
                        <tbody>
                            {report.lines.into_iter().map(|l| line(l, &currency, false)).collect_view()}
                            {line(report.total, &currency, true)}
                        </tbody>
                    </table>
                </div>
                <figure class=CARD>
                    <figcaption class="mb-2 font-semibold">{t("dash-chart-sales")}</figcaption>
                    <img src=format!("/api/v1/admin/reports/charts/sales.svg?{span}&lang={lang}") alt=t("dash-chart-sales-alt") class="w-full" />
                </figure>
                <figure class=CARD>
                    <figcaption class="mb-2 font-semibold">{t("dash-chart-occupancy")}</figcaption>
                    <img src=format!("/api/v1/admin/reports/charts/occupancy.svg?{span}&lang={lang}") alt=t("dash-chart-occupancy-alt") class="w-full" />
                </figure>
            </section>
        }
    })
}

/// A line's name: a day (its key) as the page's language writes it, else the report's label.
fn label(l: &SalesLine) -> String {
    match l.key.parse::<chrono::NaiveDate>() {
        Ok(day) => {
            let lang = crate::i18n::use_lang();
            format!(
                "{} {}",
                format::weekday(lang, day),
                format::long_date(lang, day)
            )
        }
        Err(_) => l.label.clone(),
    }
}

fn line(l: SalesLine, currency: &str, total: bool) -> impl IntoView {
    let m = |minor| money::format(minor, currency);
    view! {
        <tr class=if total { "border-t-2 border-slate-300 font-semibold" } else { "border-b border-slate-100" }>
            <td class="py-2 pr-2">{if total { t("dash-total") } else { label(&l) }}</td>
            <td>{money::count(l.shows)}</td>
            <td>{format!("{} / {}", money::count(l.seats_sold), money::count(l.seats))}</td>
            <td>{format!("{:.1}%", l.occupancy_percent)}</td>
            <td>{m(l.gross)}</td>
            <td>{m(l.refunds)}</td>
            <td>{m(l.fees)}</td>
            <td>{m(l.net)}</td>
            <td>{m(l.discounts)}</td>
            <td>{m(l.food)}</td>
            <td>{format!("{} ({})", money::count(l.waitlisted), money::count(l.waitlist_booked))}</td>
        </tr>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let id = path_id();
    let page = query("page");
    let data = resource(
        move || (id(), page()),
        |(id, page)| audit_log(id.unwrap_or_default(), page.and_then(|p| p.parse().ok())),
    );
    staff_page(data, |audit: Audit| {
        let Audit {
            theater,
            entries,
            page,
            total,
        } = audit;
        let more = i64::from(page) * i64::from(AUDIT_PER_PAGE) < total;
        view! {
            <TheaterTabs theater current="dash-tab-audit" />
            {if entries.is_empty() {
                view! { <EmptyState title=t("dash-audit-empty") hint=t("dash-audit-empty-hint") /> }.into_any()
            } else {
                view! {
                    <ol class="flex flex-col gap-2" data-testid="audit-log">
                        {entries.into_iter().map(|e| view! {
                            <li class=format!("{CARD} text-sm")>
                                <p><b>{e.action.clone()}</b>" · "{e.actor_email.clone().unwrap_or_else(|| t("dash-deleted-user"))}" · "{e.at.format("%Y-%m-%d %H:%M UTC").to_string()}</p>
                                <details>
                                    <summary class="cursor-pointer text-slate-600">{t("dash-before-after")}</summary>
                                    <pre class="overflow-x-auto whitespace-pre-wrap text-xs">{t_with("dash-before-after-values", &[("before", Arg::Text(&e.before.map(|v| v.to_string()).unwrap_or_default())), ("after", Arg::Text(&e.after.map(|v| v.to_string()).unwrap_or_default()))])}</pre>
                                </details>
                            </li>
                        }).collect_view()}
                    </ol>
                    {more.then(|| view! { <a href=format!("?page={}", page + 1) class=QUIET>{t("dash-older")}</a> })}
                }.into_any()
            }}
        }
    })
}
