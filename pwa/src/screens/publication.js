// Publication (一公开) for supervisors and admins: accepted random-draw results waiting to be
// published, each with its due date (20 working days after acceptance) and the days left
// or overdue; publish the ones ticked, or everything due after a confirmation; and the
// results published, with the public page (/gs) that anyone may read without signing in.
import { useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { signInAgain, usePages } from '../router.js';
import { Problem, today } from '../ui.js';

addStrings({
  publicationTab: '公开',
  pubTitle: '结果公示',
  pubAbout: '随机抽查的检查结果在审核通过后 20 个工作日内向社会公示，公示 5 年。',
  pubPublicPage: '打开公示页面（无需登录）',
  pubDue: '待公示',
  pubPublished: '已公示',
  pubDueCounts: (total, late) => `待公示 ${total} 条${late ? `，其中 ${late} 条已超过公示期限` : ''}`,
  pubFilterAll: '全部',
  pubFilterLate: '已逾期',
  pubFilterOnTime: '未逾期',
  pubFilter: '按公示期限筛选',
  pubIncomplete: (years) => `${years.join('、')} 年的节假日安排尚未录入，截止日期按周末推算，录入后可能变动（由管理员在“工作日调整”中录入）。`,
  pubAcceptedOn: '审核通过',
  pubDueOn: '公示截止',
  pubVisitDate: '检查日期',
  pubPublishedOn: '公示日期',
  pubShownUntil: '公示至',
  pubDaysLeft: (n) => (n === 0 ? '今天截止' : `还剩 ${n} 天`),
  pubDaysLate: (n) => `逾期 ${n} 天`,
  pubMayMove: '截止日期可能变动',
  pubSelectAll: '全选本页',
  pubSelected: (n) => `已选 ${n} 条`,
  pubPublishSelected: '公开所选',
  pubPublishAll: '一键公开全部待公示结果',
  pubConfirmAll: (n) => `将公开你管辖范围内全部 ${n} 条待公示结果。公开后任何人都能在公示页面看到，且不能撤回。确定公开吗？`,
  pubConfirm: '确定公开',
  pubCancel: '取消',
  pubPublishing: '正在公开…',
  pubPublishingAll: (n) => `正在公开全部 ${n} 条待公示结果…`,
  pubDone: (n) => `已公开 ${n} 条结果，公示页面已可查看。`,
  pubDoneLate: (n, late) => `已公开 ${n} 条结果（其中 ${late} 条超过公示期限），公示页面已可查看。`,
  pubNothingLeft: '没有需要公开的结果：它们已由他人公开。',
  pubNoneDue: '没有待公示的结果。随机抽查的检查记录审核通过后会出现在这里。',
  pubCorrection: (was) => `更正：公众现在看到的是“${was}”`,
  pubCorrectedOn: (day) => `${day} 更正`,
  pubNoneLate: '没有逾期未公示的结果。',
  pubNoneOnTime: '没有未到期限的待公示结果。',
  pubNonePublished: '还没有公示的结果。',
  pubNoneFound: '没有名称或信用代码相符的公示结果。',
  pubSearch: '按企业名称或统一社会信用代码查找',
  pubLate: '逾期公示',
  pubWithdrawn: '已撤下',
}, {
  publicationTab: 'Publish',
  pubTitle: 'Published results',
  pubAbout: 'Results of random-draw inspections are published within 20 working days of acceptance, for 5 years.',
  pubPublicPage: 'Open the public page (no sign-in)',
  pubDue: 'Due',
  pubPublished: 'Published',
  pubDueCounts: (total, late) => `${total} awaiting publication${late ? `, ${late} past their deadline` : ''}`,
  pubFilterAll: 'All',
  pubFilterLate: 'Late',
  pubFilterOnTime: 'On time',
  pubFilter: 'Filter by deadline',
  pubIncomplete: (years) => `No one has entered the holidays of ${years.join(', ')} yet: deadlines count weekends only and may move (an admin enters them under Working days).`,
  pubAcceptedOn: 'Accepted on',
  pubDueOn: 'Due',
  pubVisitDate: 'Visited',
  pubPublishedOn: 'Published',
  pubShownUntil: 'Shown until',
  pubDaysLeft: (n) => (n === 0 ? 'Due today' : `${n} days left`),
  pubDaysLate: (n) => `${n} days late`,
  pubMayMove: 'deadline may move',
  pubSelectAll: 'Select this page',
  pubSelected: (n) => `${n} selected`,
  pubPublishSelected: 'Publish selected',
  pubPublishAll: 'Publish everything due',
  pubConfirmAll: (n) => `This publishes all ${n} results awaiting publication in your jurisdiction. Anyone will see them on the public page, and publication cannot be undone. Publish?`,
  pubConfirm: 'Publish',
  pubCancel: 'Cancel',
  pubPublishing: 'Publishing…',
  pubPublishingAll: (n) => `Publishing all ${n} results…`,
  pubDone: (n) => `Published ${n} results: the public page shows them.`,
  pubDoneLate: (n, late) => `Published ${n} results (${late} past their deadline): the public page shows them.`,
  pubNothingLeft: 'Nothing left to publish: someone else published them.',
  pubNoneDue: 'No results await publication. Accepted visits of random-draw plans appear here.',
  pubCorrection: (was) => `Correction: the public sees ${was}`,
  pubCorrectedOn: (day) => `Corrected ${day}`,
  pubNoneLate: 'No result is past its deadline.',
  pubNoneOnTime: 'No result within its deadline awaits publication.',
  pubNonePublished: 'No results published yet.',
  pubNoneFound: 'No published result has this name or credit code.',
  pubSearch: 'Find by enterprise name or credit code',
  pubLate: 'Published late',
  pubWithdrawn: 'Withdrawn',
});

const RESULT_BADGE = { pass: 'valid', pass_with_rectification: 'expiring', fail: 'missing' };
const DAY = 86400000;

// Calendar days from today to `iso` (negative: gone by), in Asia/Shanghai dates.
const daysUntil = (iso) => Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse(`${today()}T00:00:00Z`)) / DAY);

function problemOf(error) {
  if (error instanceof ApiError && error.status === 401) signInAgain();
  return error;
}

export function Publication() {
  const [section, setSection] = useState('due');
  const [done, setDone] = useState(null); // what the last publication did: { published, late }
  const [version, setVersion] = useState(0); // bumped by each publication: the due list loads again
  const published = (result) => {
    setDone(result);
    setVersion((v) => v + 1);
  };
  const show = (key) => {
    setSection(key);
    setDone(null);
  };
  return html`<main class="publication">
    <h1>${t('pubTitle')}</h1>
    <p class="muted">${t('pubAbout')}</p>
    <a class="pub-public" href="/gs" target="_blank" rel="noopener">${t('pubPublicPage')}</a>
    <nav class="chips" aria-label=${t('pubTitle')}>
      ${[['due', 'pubDue'], ['published', 'pubPublished']].map(([key, label]) => html`<button key=${key}
        class=${key === section ? 'chip on' : 'chip'} aria-pressed=${key === section} onClick=${() => show(key)}>${t(label)}</button>`)}
    </nav>
    ${done && html`<p class="ok" role="status">${done.published === 0 ? t('pubNothingLeft')
      : done.late ? t('pubDoneLate')(done.published, done.late) : t('pubDone')(done.published)}</p>`}
    ${section === 'due' ? html`<${Due} key=${version} onPublished=${published} />` : html`<${Published} />`}
  </main>`;
}

function Due({ onPublished }) {
  const [late, setLate] = useState(''); // '', 'true' or 'false'
  const list = usePages(`/api/publication/due?${new URLSearchParams({ limit: '50', ...(late ? { late } : {}) })}`);
  const [picked, setPicked] = useState(new Set());
  const [state, setState] = useState({ busy: null, confirming: false, error: null });
  const page = list.page;

  const publish = async (all) => {
    setState({ busy: all ? 'all' : 'picked', confirming: false, error: null });
    try {
      onPublished(all
        ? await api('/api/publication/due', { method: 'POST', body: {} })
        : await api('/api/publication', { method: 'POST', body: { visit_ids: [...picked] } })
          .then((results) => ({ published: results.length, late: results.filter((r) => r.late).length })));
    } catch (e) {
      setState({ busy: null, confirming: false, error: problemOf(e) });
    }
  };
  const toggle = (id) => setPicked((old) => {
    const now = new Set(old);
    if (now.has(id)) now.delete(id);
    else now.add(id);
    return now;
  });
  const pageIds = list.items.map((i) => i.visit_id);
  const allPicked = pageIds.length > 0 && pageIds.every((id) => picked.has(id));
  const empty = { '': 'pubNoneDue', true: 'pubNoneLate', false: 'pubNoneOnTime' }[late];

  return html`
    ${page && html`<p class="lead" role="status">${t('pubDueCounts')(page.total, page.late)}</p>`}
    ${page?.incomplete_years?.length > 0 && html`<p class="warn small">${t('pubIncomplete')(page.incomplete_years)}</p>`}
    <div class="chips" role="group" aria-label=${t('pubFilter')}>
      ${[['', 'pubFilterAll'], ['true', 'pubFilterLate'], ['false', 'pubFilterOnTime']].map(([value, label]) => html`<button key=${value}
        class=${late === value ? 'chip on' : 'chip'} aria-pressed=${late === value} onClick=${() => setLate(value)}>${t(label)}</button>`)}
    </div>
    ${state.busy === 'all' && html`<p class="muted" role="status">${t('pubPublishingAll')(page?.total || 0)}</p>`}
    <${Problem} error=${list.error || state.error} />
    ${list.loading && list.items.length === 0 && html`<p class="muted">${t('loading')}</p>`}
    ${!list.loading && !list.error && list.items.length === 0 && html`<p class="empty">${t(empty)}</p>`}
    ${list.items.length > 0 && html`<div class="pub-bar">
      <label class="pub-check"><input type="checkbox" checked=${allPicked}
        onChange=${() => setPicked(allPicked ? new Set() : new Set([...picked, ...pageIds]))} /> ${t('pubSelectAll')}</label>
      <span class="muted">${t('pubSelected')(picked.size)}</span>
      <button class="small" disabled=${picked.size === 0 || state.busy} onClick=${() => publish(false)}>
        ${state.busy === 'picked' ? t('pubPublishing') : t('pubPublishSelected')}</button>
    </div>`}
    <ul class="cards">${list.items.map((item) => html`<li key=${item.visit_id}>
      <${DueCard} item=${item} picked=${picked.has(item.visit_id)} onToggle=${() => toggle(item.visit_id)} />
    </li>`)}</ul>
    ${list.cursor && !list.loading && html`<button class="secondary" onClick=${list.more}>${t('loadMore')}</button>`}
    ${page?.total > 0 && (state.confirming
      ? html`<div class="pub-confirm" role="alertdialog" aria-label=${t('pubPublishAll')}>
          <p>${t('pubConfirmAll')(page.total)}</p>
          <button class="primary" onClick=${() => publish(true)}>${t('pubConfirm')}</button>
          <button class="secondary" onClick=${() => setState((s) => ({ ...s, confirming: false }))}>${t('pubCancel')}</button>
        </div>`
      : html`<button class="primary" disabled=${state.busy} onClick=${() => setState({ busy: null, confirming: true, error: null })}>
          ${state.busy === 'all' ? t('pubPublishing') : t('pubPublishAll')}</button>`)}`;
}

function DueCard({ item, picked, onToggle }) {
  const left = daysUntil(item.due_on);
  return html`<label class=${`card pub-card${item.late ? ' late' : ''}`} data-enterprise=${item.enterprise_name}>
    <input type="checkbox" checked=${picked} onChange=${onToggle} aria-label=${item.enterprise_name} />
    <span class="pub-body">
      <strong>${item.enterprise_name}</strong>
      <span class="mono small">${item.uscc}</span>
      <span class="muted">${item.plan_title} · ${item.plan_period}</span>
      <span class="badges">
        <span class=${`badge ${RESULT_BADGE[item.result] || ''}`}>${t('conclusions')[item.result] || item.result_label}</span>
        <span class=${`badge ${left < 0 ? 'missing' : left <= 3 ? 'expiring' : 'valid'} pub-days`}>
          ${left < 0 ? t('pubDaysLate')(-left) : t('pubDaysLeft')(left)}</span>
        ${item.calendar_incomplete && html`<span class="badge expiring">${t('pubMayMove')}</span>`}
        ${item.correction && html`<span class="badge expiring">${t('pubCorrection')(item.published_result_label)}</span>`}
      </span>
      <span class="muted small">${t('pubVisitDate')} ${formatDate(item.visit_date)} · ${t('pubAcceptedOn')} ${formatDate(item.accepted_on)} · ${t('pubDueOn')} ${formatDate(item.due_on)}</span>
    </span>
  </label>`;
}

function Published() {
  const [q, setQ] = useState(''); // as typed; searched on Enter or on leaving the field
  const [search, setSearch] = useState('');
  const list = usePages(`/api/publication/published?${new URLSearchParams({ limit: '50', ...(search ? { q: search } : {}) })}`);
  const find = (event) => {
    event.preventDefault();
    setSearch(q.trim());
  };
  return html`
    <form onSubmit=${find}>
      <input type="search" class="search" placeholder=${t('pubSearch')} aria-label=${t('pubSearch')} value=${q}
        onInput=${(e) => setQ(e.target.value)} onBlur=${() => setSearch(q.trim())} />
    </form>
    <${Problem} error=${list.error} />
    ${list.loading && list.items.length === 0 && html`<p class="muted">${t('loading')}</p>`}
    ${!list.loading && !list.error && list.items.length === 0 && html`<p class="empty">${t(search ? 'pubNoneFound' : 'pubNonePublished')}</p>`}
    <ul class="cards">${list.items.map((item) => html`<li key=${item.id} class="card" data-enterprise=${item.enterprise_name}>
      <strong>${item.enterprise_name}</strong>
      <span class="mono small">${item.uscc}</span>
      <span class="muted">${item.plan_title} · ${item.plan_period}</span>
      <span class="badges">
        <span class=${`badge ${RESULT_BADGE[item.result] || ''}`}>${t('conclusions')[item.result] || item.result_label}</span>
        ${item.late && html`<span class="badge missing">${t('pubLate')}</span>`}
        ${item.withdrawn && html`<span class="badge">${t('pubWithdrawn')}</span>`}
        ${item.corrected_on && html`<span class="badge">${t('pubCorrectedOn')(formatDate(item.corrected_on))}</span>`}
      </span>
      <span class="muted small">${t('pubVisitDate')} ${formatDate(item.visit_date)} · ${t('pubPublishedOn')} ${formatDate(item.published_on)} · ${t('pubShownUntil')} ${formatDate(item.withdraw_on)}</span>
    </li>`)}</ul>
    ${list.cursor && !list.loading && html`<button class="secondary" onClick=${list.more}>${t('loadMore')}</button>`}`;
}
