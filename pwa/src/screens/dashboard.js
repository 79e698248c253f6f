// The supervisor's coverage dashboard: the figures of a region in their jurisdiction over a
// period, as numbers (each a link to the list behind it) and as charts (Chart.js, loaded
// only when the dashboard opens), and those lists.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { Export } from '../files.js';
import { addStrings, formatDate, lang, t } from '../i18n.js';
import { Link, signInAgain, useApi, usePages } from '../router.js';
import { Problem, today } from '../ui.js';

addStrings({
  dashboard: '覆盖情况',
  region: '地区',
  period: '期间',
  periods: { month: '本月', quarter: '本季度', year: '本年', custom: '自定义' },
  from: '从',
  to: '至',
  enterprisesFigure: '企业总数',
  dueInPeriod: '期内到期应检',
  overdueFigure: '逾期未检',
  visitedFigure: '已检查企业',
  visitsFigure: '检查次数',
  awaitingReview: '待审核检查',
  findingsOpened: '新发现问题',
  findingsClosed: '已整改销号',
  findingsOpen: '未整改问题',
  medianDaysToClose: '整改用时中位数（天）',
  returnVisitRate: '回访率',
  target: '目标',
  noticeCoverage: '质量警示语覆盖',
  pointsWithoutNotice: '未张贴警示语的控制点',
  ofPoints: (n) => `共 ${n} 个关键控制点`,
  reviewTurnaround: '照片审核用时（小时）',
  median: '中位数',
  p95: '95% 分位',
  perInspector: '各检查人员检查次数',
  byRegion: '各下级地区',
  noInspections: '本期间没有检查记录。',
  noValue: '—',
  chartLoading: '图表加载中…',
  visitsList: '检查记录',
  awaitingList: '待审核的检查',
  openFindingsList: '未整改的问题',
  closedFindingsList: '期内销号的问题',
  openedFindingsList: '期内新发现的问题',
  pointsList: '未张贴警示语的控制点',
  emptyList: '没有记录。',
  deadline: '整改期限',
  started: '检查时间',
  listTotal: (n) => `共 ${n} 条`,
  byUrgency: '最逾期的排在最前',
  waitedLongest: '等待最久的排在最前',
  dueNone: '未排期',
}, {
  dashboard: 'Coverage',
  region: 'Region',
  period: 'Period',
  periods: { month: 'This month', quarter: 'This quarter', year: 'This year', custom: 'Custom' },
  from: 'From',
  to: 'To',
  enterprisesFigure: 'Enterprises',
  dueInPeriod: 'Due in the period',
  overdueFigure: 'Overdue',
  visitedFigure: 'Enterprises visited',
  visitsFigure: 'Visits',
  awaitingReview: 'Visits awaiting review',
  findingsOpened: 'Findings opened',
  findingsClosed: 'Findings closed',
  findingsOpen: 'Findings open now',
  medianDaysToClose: 'Median days to close',
  returnVisitRate: 'Return-visit rate',
  target: 'target',
  noticeCoverage: 'Warning-notice coverage',
  pointsWithoutNotice: 'Control points without a notice',
  ofPoints: (n) => `of ${n} control points`,
  reviewTurnaround: 'Photo review time (hours)',
  median: 'median',
  p95: 'p95',
  perInspector: 'Visits per inspector',
  byRegion: 'By region below',
  noInspections: 'No visits in this period.',
  noValue: '—',
  chartLoading: 'Loading chart…',
  visitsList: 'Visits',
  awaitingList: 'Visits awaiting review',
  openFindingsList: 'Open findings',
  closedFindingsList: 'Findings closed in the period',
  openedFindingsList: 'Findings opened in the period',
  pointsList: 'Control points without a notice',
  emptyList: 'Nothing here.',
  deadline: 'Deadline',
  started: 'Started',
  listTotal: (n) => `${n} in all`,
  byUrgency: 'Most overdue first',
  waitedLongest: 'Longest waiting first',
  dueNone: 'not scheduled',
});

const CHILD_LEVEL = { province: 'city', city: 'county' };

// A period as the bureau counts it: from the first day of this month / quarter / year
// (Asia/Shanghai) to today, or the days picked.
export function periodDates(kind, custom = {}) {
  const now = today();
  const [y, m] = now.split('-').map(Number);
  const pad = (n) => String(n).padStart(2, '0');
  if (kind === 'month') return { start: `${y}-${pad(m)}-01`, end: now };
  if (kind === 'quarter') return { start: `${y}-${pad(Math.floor((m - 1) / 3) * 3 + 1)}-01`, end: now };
  if (kind === 'custom' && custom.start && custom.end) return { start: custom.start, end: custom.end };
  return { start: `${y}-01-01`, end: now };
}

// The dashboard's state lives in the address, so that "back" from a list returns to it.
function readState(me) {
  const q = new URLSearchParams(location.search);
  const period = q.get('period') || 'year';
  return { region: q.get('region') || me.region_code, period, custom: { start: q.get('start') || '', end: q.get('end') || '' } };
}

function query(params) {
  return new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
}

const percent = (x) => (x === null || x === undefined ? t('noValue') : `${Math.round(x * 1000) / 10}%`);
const number = (x) => (x === null || x === undefined ? t('noValue') : String(Math.round(x * 10) / 10));

export function Dashboard({ me }) {
  const [state, setState] = useState(() => readState(me));
  const { start, end } = periodDates(state.period, state.custom);
  const [coverage, setCoverage] = useState({ data: null, error: null, loading: true });
  const regions = useApi(`/api/regions?under=${me.region_code}`);
  const home = useApi(`/api/regions/${me.region_code}`);

  useEffect(() => {
    history.replaceState(null, '', `/dashboard?${query({ region: state.region, period: state.period,
      start: state.period === 'custom' ? state.custom.start : '', end: state.period === 'custom' ? state.custom.end : '' })}`);
    let live = true;
    setCoverage((old) => ({ ...old, loading: true, error: null }));
    api(`/api/coverage?${query({ region: state.region, start, end })}`)
      .then((data) => live && setCoverage({ data, error: null, loading: false }))
      .catch((error) => {
        if (error instanceof ApiError && error.status === 401) return signInAgain();
        if (live) setCoverage({ data: null, error, loading: false });
      });
    return () => (live = false);
  }, [state.region, start, end]);

  const all = [...(home.data ? [home.data] : []), ...(regions.data || [])];
  const selected = all.find((r) => r.code === state.region);
  const children = all.filter((r) => selected && r.level === CHILD_LEVEL[selected.level] && r.code !== selected.code &&
    r[`${selected.level}_code`] === selected.code);
  const c = coverage.data;
  const scope = { region: state.region, start, end };
  const set = (changes) => setState((old) => ({ ...old, ...changes }));

  return html`<main class="dashboard">
    <h1>${t('dashboard')}</h1>
    <div class="dash-controls">
      <label>${t('region')}
        <select value=${state.region} onChange=${(e) => set({ region: e.target.value })}>
          ${all.map((r) => html`<option value=${r.code}>${'\u3000'.repeat(depth(r, all[0]))}${regionName(r)}</option>`)}
        </select>
      </label>
      <div class="chips" role="group" aria-label=${t('period')}>
        ${['month', 'quarter', 'year', 'custom'].map((p) => html`
          <button class=${state.period === p ? 'chip on' : 'chip'} aria-pressed=${state.period === p}
            onClick=${() => set({ period: p, custom: p === 'custom' && !state.custom.start ? periodDates('year') : state.custom })}>
            ${t('periods')[p]}</button>`)}
      </div>
      ${state.period === 'custom' && html`<div class="dash-dates">
        <label>${t('from')} <input type="date" value=${state.custom.start} max=${state.custom.end}
          onChange=${(e) => set({ custom: { ...state.custom, start: e.target.value } })} /></label>
        <label>${t('to')} <input type="date" value=${state.custom.end} min=${state.custom.start}
          onChange=${(e) => set({ custom: { ...state.custom, end: e.target.value } })} /></label>
      </div>`}
      <p class="muted">${formatDate(start)} – ${formatDate(end)}</p>
    </div>
    <${Problem} error=${coverage.error || regions.error} />
    ${coverage.loading && !c && html`<p class="muted">${t('loading')}</p>`}
    ${c && html`<div class=${coverage.loading ? 'dash-columns stale' : 'dash-columns'} aria-busy=${coverage.loading}>
      <section class="dash-figures">
        <div class="figures">
          <${Figure} id="enterprises" label=${t('enterprisesFigure')} value=${c.enterprises}
            href=${`/enterprises?${query({ region: state.region })}`} />
          <${Figure} id="overdue" label=${t('overdueFigure')} value=${c.overdue} warn=${c.overdue > 0}
            href=${`/enterprises?${query({ due: 'overdue', region: state.region })}`} />
          <${Figure} id="due" label=${t('dueInPeriod')} value=${c.due_in_period}
            href=${`/enterprises?${query({ region: state.region, due_from: start, due_to: end })}`} />
          <${Figure} id="visited" label=${t('visitedFigure')} value=${c.visited}
            href=${`/dashboard/visits?${query(scope)}`} />
          <${Figure} id="visits" label=${t('visitsFigure')} value=${c.visits}
            href=${`/dashboard/visits?${query(scope)}`} />
          <${Figure} id="awaiting" label=${t('awaitingReview')} value=${c.visits_awaiting_review}
            href=${`/dashboard/visits?${query({ region: state.region, awaiting_review: 'true' })}`} />
          <${Figure} id="findings-opened" label=${t('findingsOpened')} value=${c.findings_opened}
            href=${`/dashboard/findings?${query({ ...scope, status: 'opened' })}`} />
          <${Figure} id="findings-closed" label=${t('findingsClosed')} value=${c.findings_closed}
            href=${`/dashboard/findings?${query({ ...scope, status: 'closed' })}`} />
          <${Figure} id="findings-open" label=${t('findingsOpen')} value=${c.findings_open} warn=${c.findings_open > 0}
            href=${`/dashboard/findings?${query({ region: state.region, status: 'open' })}`} />
          <${Figure} id="days-to-close" label=${t('medianDaysToClose')} value=${number(c.median_days_to_close)} />
        </div>
        <${Meter} id="return-visits" label=${t('returnVisitRate')} value=${c.return_visit_rate}
          target=${c.return_visit_target} />
        <${Meter} id="notice-coverage" label=${t('noticeCoverage')}
          value=${c.control_points ? 1 - c.control_points_without_notice / c.control_points : null}>
          <${Link} href=${`/dashboard/points?${query({ region: state.region })}`} data-figure="points-without-notice">
            ${t('pointsWithoutNotice')}: <strong>${c.control_points_without_notice}</strong><//>
          <span class="muted"> ${t('ofPoints')(c.control_points)}</span>
        <//>
        <div class="figures">
          <${Figure} id="review-median" label=${`${t('reviewTurnaround')} · ${t('median')}`} value=${number(c.review_median_hours)} />
          <${Figure} id="review-p95" label=${`${t('reviewTurnaround')} · ${t('p95')}`} value=${number(c.review_p95_hours)} />
        </div>
      </section>
      <section class="dash-charts">
        <h2>${t('perInspector')}</h2>
        ${c.visits_per_inspector.length === 0 ? html`<p class="empty">${t('noInspections')}</p>` : html`
          <${BarChart} label=${t('perInspector')} labels=${c.visits_per_inspector.map((i) => i.display_name)}
            series=${[{ label: t('visitsFigure'), data: c.visits_per_inspector.map((i) => i.visits), colour: '#0b5394' }]} />
          <table class="dash-table">
            <tbody>${c.visits_per_inspector.map((i) => html`<tr key=${i.user_id}>
              <th scope="row">${i.display_name}</th>
              <td><${Link} href=${`/dashboard/visits?${query({ ...scope, inspector: i.user_id, name: i.display_name })}`}>${i.visits}<//></td>
            </tr>`)}</tbody>
          </table>`}
        ${children.length > 0 && html`<${RegionBreakdown} regions=${children} start=${start} end=${end}
          onPick=${(code) => set({ region: code })} />`}
      </section>
    </div>`}
  </main>`;
}

const regionName = (r) => (lang === 'en' && r.name_en ? r.name_en : r.name);
const depth = (r, top) => (top ? ['province', 'city', 'county'].indexOf(r.level) - ['province', 'city', 'county'].indexOf(top.level) : 0);

function Figure({ id, label, value, href, warn }) {
  const body = html`<strong class="figure-value">${value}</strong><span class="figure-label">${label}</span>`;
  const cls = warn ? 'figure warn' : 'figure';
  return href
    ? html`<${Link} href=${href} class=${`${cls} drill`} data-figure=${id}>${body}<//>`
    : html`<div class=${cls} data-figure=${id}>${body}</div>`;
}

// A share as a bar, with the target marked when there is one.
function Meter({ id, label, value, target, children }) {
  const width = value === null || value === undefined ? 0 : Math.min(100, value * 100);
  const below = target !== undefined && value !== null && value < target;
  return html`<div class="meter" data-figure=${id}>
    <div class="meter-head"><span>${label}</span>
      <strong class=${below ? 'figure-value warn' : 'figure-value'}>${percent(value)}</strong></div>
    <div class="meter-bar" role="img" aria-label=${`${label} ${percent(value)}${target !== undefined ? `, ${t('target')} ${percent(target)}` : ''}`}>
      <span style=${`width:${width}%`}></span>
      ${target !== undefined && html`<i style=${`left:${target * 100}%`} title=${`${t('target')} ${percent(target)}`}></i>`}
    </div>
    ${target !== undefined && html`<span class="muted">${t('target')} ${percent(target)}</span>`}
    ${children && html`<div>${children}</div>`}
  </div>`;
}

// Chart.js, loaded on first use: a separate chunk, outside the app shell's first load.
let chartJs;
function loadChartJs() {
  chartJs ||= import('chart.js').then(({ Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip }) => {
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
    return Chart;
  });
  return chartJs;
}

function BarChart({ label, labels, series, horizontal = true }) {
  const canvas = useRef(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let chart;
    let live = true;
    loadChartJs().then((Chart) => {
      if (!live || !canvas.current) return;
      chart = new Chart(canvas.current, {
        type: 'bar',
        data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.colour })) },
        options: {
          indexAxis: horizontal ? 'y' : 'x', responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: series.length > 1, position: 'bottom' } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
        },
      });
      setReady(true);
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [JSON.stringify([labels, series])]);
  const height = Math.max(160, labels.length * series.length * 26 + 60);
  return html`<div class="chart" style=${`height:${height}px`}>
    ${!ready && html`<p class="muted">${t('chartLoading')}</p>`}
    <canvas ref=${canvas} role="img" aria-label=${label}></canvas>
  </div>`;
}

// Due, visited and overdue per region one level down: the coverage of each, side by side.
function RegionBreakdown({ regions, start, end, onPick }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    setRows(null);
    Promise.all(regions.map((r) => api(`/api/coverage?${query({ region: r.code, start, end })}`).then((c) => ({ r, c }))))
      .then((all) => live && setRows(all))
      .catch((e) => live && setError(e));
    return () => (live = false);
  }, [regions.map((r) => r.code).join(), start, end]);
  return html`<h2>${t('byRegion')}</h2>
    <${Problem} error=${error} />
    ${!rows && !error && html`<p class="muted">${t('loading')}</p>`}
    ${rows && html`
      <${BarChart} label=${t('byRegion')} labels=${rows.map(({ r }) => regionName(r))} series=${[
        { label: t('dueInPeriod'), data: rows.map(({ c }) => c.due_in_period), colour: '#8a5300' },
        { label: t('visitedFigure'), data: rows.map(({ c }) => c.visited), colour: '#1e6b34' },
        { label: t('overdueFigure'), data: rows.map(({ c }) => c.overdue), colour: '#b3261e' },
      ]} />
      <table class="dash-table">
        <thead><tr><th>${t('region')}</th><th>${t('dueInPeriod')}</th><th>${t('visitedFigure')}</th><th>${t('overdueFigure')}</th></tr></thead>
        <tbody>${rows.map(({ r, c }) => html`<tr key=${r.code}>
          <th scope="row"><button class="link" onClick=${() => onPick(r.code)}>${regionName(r)}</button></th>
          <td>${c.due_in_period}</td><td>${c.visited}</td>
          <td><${Link} href=${`/enterprises?${query({ due: 'overdue', region: r.code })}`}>${c.overdue}<//></td>
        </tr>`)}</tbody>
      </table>`}`;
}

// ---------------------------------------------------------------- the lists behind the figures
// Each with its total, the most urgent first (the server's order): the earliest next due
// date or deadline; the visits awaiting review, the longest waiting.

const LISTS = {
  visits: { path: '/api/coverage/visits', export: '/api/exports/coverage-visits', title: (q) => (q.get('awaiting_review') ? t('awaitingList') : t('visitsList')) },
  findings: { path: '/api/coverage/findings', export: '/api/exports/coverage-findings', title: (q) => t(`${q.get('status')}FindingsList`) },
  points: { path: '/api/coverage/uncovered-points', export: '/api/exports/uncovered-points', title: () => t('pointsList') },
};

export function CoverageList({ params: [kind] }) {
  const list = LISTS[kind];
  const q = new URLSearchParams(location.search);
  const name = q.get('name');
  q.delete('name');
  const { items, cursor, loading, error, more, page } = usePages(`${list.path}?${q}`);

  const period = q.get('start') && !q.get('awaiting_review') && q.get('status') !== 'open'
    ? `${formatDate(q.get('start'))} – ${formatDate(q.get('end'))}` : '';
  return html`<main>
    <button class="link" onClick=${() => history.back()}>← ${t('back')}</button>
    <h1>${list.title(q)}${name ? ` · ${name}` : ''}</h1>
    ${period && html`<p class="muted">${period}</p>`}
    ${page && html`<p class="list-total" data-testid="list-total"><strong>${t('listTotal')(page.total)}</strong>
      <span class="muted small"> · ${q.get('awaiting_review') ? t('waitedLongest') : t('byUrgency')}</span></p>`}
    <${Export} path=${list.export} query=${q} total=${page?.total} />
    <${Problem} error=${error} />
    <ul class="cards">${items.map((item) => html`<li key=${item.id}>${ROW[kind](item)}</li>`)}</ul>
    ${!loading && !error && items.length === 0 && html`<p class="empty">${t('emptyList')}</p>`}
    ${loading && html`<p class="muted">${t('loading')}</p>`}
    ${cursor && !loading && html`<button class="secondary" onClick=${more}>${t('loadMore')}</button>`}
  </main>`;
}

// An enterprise's next due date: red once past.
const Due = ({ on }) => html`<span class=${on && on < today() ? 'badge missing' : 'badge'}>
  ${t('nextDue')} ${on ? formatDate(on) : t('dueNone')}</span>`;

const ROW = {
  visits: (v) => html`<${Link} href=${`/visits/${v.id}`} class="card" data-visit=${v.id}>
    <strong>${v.enterprise_name}</strong>
    <span class="muted">${t('visit_types')[v.visit_type]} · ${t('started')} ${formatDate(v.started_at || v.planned_date)}</span>
    <span class="badges"><span class=${v.status === 'submitted' ? 'badge expiring' : 'badge valid'}>${t('visit_statuses')[v.status]}</span>
      <${Due} on=${v.next_due_on} /></span>
  <//>`,
  findings: (f) => html`<${Link} href=${`/enterprises/${f.enterprise_id}`} class="card">
    <strong>${f.enterprise_name}</strong>
    <span>${f.item_key} · ${f.description || t('noValue')}</span>
    <span class="badges">
      <span class=${f.severity === 'critical' ? 'badge missing' : 'badge'}>${t('severities')[f.severity] || f.severity}</span>
      ${f.deadline && html`<span class=${f.status === 'open' && f.deadline < today() ? 'badge missing' : 'badge'}>
        ${t('deadline')} ${formatDate(f.deadline)}</span>`}
    </span>
  <//>`,
  points: (p) => html`<${Link} href=${`/enterprises/${p.enterprise_id}`} class="card">
    <strong>${p.name}</strong>
    <span class="muted">${p.enterprise_name}${p.location ? ` · ${p.location}` : ''}</span>
    <span class="badges"><${Due} on=${p.next_due_on} /></span>
  <//>`,
};
