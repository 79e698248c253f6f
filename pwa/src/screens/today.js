// The inspector's day: planned visits and due enterprises, kept on the phone with all a
// visit needs, so that work goes on without signal.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { ApiError } from '../api.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { keepForOffline, localDrafts, todayPaths } from '../fieldwork.js';
import { shellReady } from '../offline.js';
import { cachedApi } from '../outbox.js';
import { Link, signInAgain, useApi } from '../router.js';
import { Problem, today } from '../ui.js';

addStrings({
  today: '今日任务',
  plannedVisits: '计划检查',
  noPlannedVisits: '近 7 天没有安排给您的检查。到了企业现场可直接开始检查（下方逾期或到期的企业，或企业名录中的任一家），选择与您同行的同事；也可以先计划检查。',
  startPlanning: '计划检查：选择企业、日期和检查组',
  startOnSite: '现场检查：在企业名录中找到企业',
  dueEnterprises: '逾期及即将到期的企业',
  noDue: '辖区内没有逾期或 30 天内到期的企业。',
  offlineSince: (time) => `离线模式：显示 ${time} 保存的数据`,
  offlineNothing: '离线且本机没有保存的数据：请联网后打开一次“今日任务”。',
  draftState: { draft: '草稿', queued: '已提交 · 待发送' },
  myDrafts: '本机未计划的检查',
  plannedFor: '计划日期',
  overduePlan: '已过计划日期',
  offlineReady: '已保存到本机，可离线工作',
  offlinePartly: (n, what) => `有 ${n} 项资料未能保存到本机（${what}），离线时可能无法打开：`,
  keptKinds: { visits: '计划检查', enterprises: '企业资料', checklists: '检查表', 'notice-templates': '警示语模板' },
  keepAgain: '重试保存',
  filedVisits: '近期提交的检查（查看文书）',
}, {
  today: 'Today',
  plannedVisits: 'Planned visits',
  noPlannedVisits: 'No visits planned for you in the next 7 days. On site, start a visit now (an overdue or due enterprise below, or any in the registry) and choose the colleague who is with you; or plan visits first.',
  startPlanning: 'Plan visits: enterprises, date and team',
  startOnSite: 'Visit now: find the enterprise in the registry',
  dueEnterprises: 'Overdue and due enterprises',
  noDue: 'No enterprise in your jurisdiction is overdue or due within 30 days.',
  offlineSince: (time) => `Offline: showing data saved at ${time}`,
  offlineNothing: 'Offline and nothing saved on this device yet: open "Today" once with a connection.',
  draftState: { draft: 'Draft', queued: 'Submitted · waiting to send' },
  myDrafts: 'Unplanned visits on this phone',
  plannedFor: 'Planned for',
  overduePlan: 'Past its planned date',
  offlineReady: 'Saved on this phone for offline work',
  offlinePartly: (n, what) => `${n} items could not be saved on this phone (${what}); offline they may not open:`,
  keptKinds: { visits: 'planned visits', enterprises: 'enterprise dossiers', checklists: 'checklists', 'notice-templates': 'notice templates' },
  keepAgain: 'Try again',
  filedVisits: 'Recently submitted visits (their documents)',
});

// What could not be kept, in words: the kinds of data the paths hold.
const keptKinds = (paths) => [...new Set(paths.map((p) => t('keptKinds')[p.split('/')[2].split('?')[0]] || p))].join('、');

const timeOf = (iso) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

export function Today({ me }) {
  const [state, setState] = useState({ loading: true });
  const [mine, setMine] = useState([]);
  const [kept, setKept] = useState(null); // null: being saved; else the paths that could not be
  const keep = (visits, enterprises) => {
    setKept(null);
    Promise.all([keepForOffline(visits, enterprises), shellReady()]).then(([missing]) => setKept(missing));
  };
  const filed = useApi('/api/visits?mine=true&limit=30'); // with signal only: without, the section is left out

  useEffect(() => {
    let live = true;
    const paths = todayPaths();
    localDrafts(me).then((d) => live && setMine(d));
    Promise.all([cachedApi(paths.visits), cachedApi(paths.overdue), cachedApi(paths.due)])
      .then(([visits, overdue, due]) => {
        if (!live) return;
        const enterprises = [...overdue.data.items, ...due.data.items];
        const cachedAt = visits.cachedAt || overdue.cachedAt || due.cachedAt;
        setState({ loading: false, visits: visits.data.items, overdue: overdue.data.items, due: due.data.items, cachedAt });
        if (!cachedAt) keep(visits.data.items, enterprises);
      })
      .catch((error) => {
        if (error instanceof ApiError && error.status === 401) return signInAgain();
        if (live) setState({ loading: false, error: error instanceof ApiError ? error : new Error(t('offlineNothing')) });
      });
    return () => (live = false);
  }, [me]);

  const draftOf = Object.fromEntries(mine.map((d) => [d.id, d]));
  const planned = new Set((state.visits || []).map((v) => v.id));
  const unplanned = mine.filter((d) => !planned.has(d.id));
  const recent = (filed.data?.items || []).filter((v) => v.status !== 'planned').slice(0, 10);
  return html`<main>
    <h1>${t('today')}</h1>
    ${state.cachedAt && html`<p class="offline-note" role="status">${t('offlineSince')(timeOf(state.cachedAt))}</p>`}
    ${kept?.length === 0 && html`<p class="muted small" data-testid="offline-ready">✓ ${t('offlineReady')}</p>`}
    ${kept?.length > 0 && html`<p class="problem small" data-testid="offline-partly">${t('offlinePartly')(kept.length, keptKinds(kept))}
      <button class="link" onClick=${() => keep(state.visits, [...state.overdue, ...state.due])}>${t('keepAgain')}</button></p>`}
    <${Problem} error=${state.error} />
    ${state.loading && html`<p class="muted">${t('loading')}</p>`}
    ${state.visits && html`
      <h2>${t('plannedVisits')}</h2>
      ${state.visits.length === 0 ? html`<p class="empty">${t('noPlannedVisits')}</p>
        <ul class="cards" data-testid="start-work">
          <li><${Link} href="/enterprises?select=1" class="card">${t('startPlanning')} →<//></li>
          <li><${Link} href="/enterprises" class="card">${t('startOnSite')} →<//></li>
        </ul>` : html`<ul class="cards">
        ${state.visits.map((v) => html`<li key=${v.id}><${Link} href=${`/visits/${v.id}`} class="card visit-card">
          <strong>${v.enterprise_name}</strong>
          <span class="muted">${t('visit_types')[v.visit_type]} · ${t('plannedFor')} ${formatDate(v.planned_date)}</span>
          <span class="badges">
            ${v.planned_date < today() && html`<span class="badge missing">${t('overduePlan')}</span>`}
            ${draftOf[v.id] && html`<span class="badge expiring">${t('draftState')[draftOf[v.id].status]}</span>`}
          </span>
        <//></li>`)}
      </ul>`}
      ${unplanned.length > 0 && html`<h2>${t('myDrafts')}</h2><ul class="cards">
        ${unplanned.map((d) => html`<li key=${d.id}><${Link} href=${`/visits/${d.id}`} class="card">
          <strong>${d.enterprise.name}</strong>
          <span class="badges"><span class="badge expiring">${t('draftState')[d.status]}</span></span>
        <//></li>`)}
      </ul>`}
      ${recent.length > 0 && html`<h2>${t('filedVisits')}</h2><ul class="cards">
        ${recent.map((v) => html`<li key=${v.id}><${Link} href=${`/visits/${v.id}`} class="card filed-visit">
          <strong>${v.enterprise_name}</strong>
          <span class="muted">${t('visit_types')[v.visit_type]} · ${formatDate(v.started_at || v.planned_date)} · ${t('visit_statuses')[v.status]}</span>
        <//></li>`)}
      </ul>`}
      <h2>${t('dueEnterprises')}</h2>
      ${state.overdue.length + state.due.length === 0 ? html`<p class="empty">${t('noDue')}</p>` : html`<ul class="cards">
        ${[...state.overdue, ...state.due].map((e) => html`<li key=${e.id}><${Link} href=${`/visits/new/${e.id}`} class="card">
          <strong>${e.name}</strong>
          <span class="muted">${e.county_name} · ${t('riskGrade')} ${e.risk_grade}</span>
          <span class="badges"><span class=${e.next_due_on < today() ? 'badge missing' : 'badge expiring'}>
            ${t('nextDue')} ${formatDate(e.next_due_on)}</span></span>
        <//></li>`)}
      </ul>`}`}
  </main>`;
}
