// Random-draw plans (双随机、一公开) for supervisors and admins: the list, a draft's form,
// the lock that draws at once, and a locked plan's draw (its inputs, seed and result) with
// each drawn visit's progress and the redraw of a team, with a reason.
import { useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api } from '../api.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { Link, navigate, useApi } from '../router.js';
import { Problem, today } from '../ui.js';
import { CategoryBoxes, FieldProblem, LEVELS, OtherProblem, PlanNav, useJurisdiction, useWrite } from './planItems.js';

addStrings({
  planNew: '新建抽查计划',
  planAbout: '“双随机、一公开”：按风险等级或信用分类的比例从企业名录中随机抽取检查对象，从本辖区持证执法人员中随机选派检查人员（每组至少两人，并按规定回避），检查结果依法公开。锁定计划即完成抽取，抽取过程记入审计链，任何人都可以复核。',
  planNone: (year) => `${year ? `${year} 年` : ''}还没有抽查计划。`,
  planAllYears: '全部年度',
  planYear: '年度',
  planTitle: '计划名称',
  planPeriod: '期间',
  planStatus: { draft: '草稿', locked: '已锁定' },
  planProgressLine: (p) => `共 ${p.drawn} 家 · 已完成 ${p.done} · 待检查 ${p.due} · 逾期 ${p.overdue} · 已退回 ${p.returned}`,
  planChooseItems: '按勾选顺序，企业适用第一个符合其类别的事项。',
  planNoUsableItems: '本局及上级局还没有抽查事项：',
  planPool: '抽查范围（企业名录筛选）',
  planPoolRegion: '地区',
  planWholeBureau: '实施机关全辖区',
  planPoolCategories: '企业类别（不选：所选事项覆盖的类别）',
  planRiskGrades: '风险等级（不选：全部）',
  planLicence: '许可证状态',
  planLicenceStates: { '': '不限', valid: '持有效许可证', missing: '无有效许可证', expiring: '30 天内到期' },
  planSampling: '抽取比例',
  planSamplingHint: '每档填比例（%）或数量（家）。有企业的档次都要填写，填 0 表示不抽；有信用分类的企业按信用分类，其余按风险等级。',
  planStratum: (s) => (s.startsWith('risk:') ? `风险 ${s.slice(5)} 级` : `信用 ${s.slice(7)} 类`),
  planUnits: { ratio: '%', count: '家' },
  planWindow: '检查时段',
  planFrom: '开始',
  planTo: '结束',
  planTeamSize: '每组人数（至少 2 人）',
  planTeamOf: (n) => `每组 ${n} 人`,
  planSave: '保存草稿',
  planSaved: '已保存',
  planLock: '锁定并抽取',
  planLockWarning: '锁定后计划不能再修改，也不能撤销。系统会立即抽取企业和检查组，记入审计链，并把检查任务派到被抽中人员的“今日任务”。',
  planLockConfirm: '确认锁定并抽取',
  planLocking: '正在抽取…',
  planDeleteDraft: '删除草稿',
  planDeleteWarning: '删除这份草稿？',
  planCancel: '取消',
  planDrawn: (n, pool) => `从 ${pool} 家中抽中 ${n} 家`,
  planStates: { done: '已完成', due: '待检查', overdue: '已逾期', returned: '已退回' },
  planAllStates: '全部',
  planTeam: '检查组',
  planPlannedOn: '计划日期',
  planRedrawn: (n) => `已重抽 ${n} 次`,
  planRedraw: '重抽检查组',
  planRedrawTitle: (name) => `为“${name}”重新抽取检查组`,
  planRedrawHint: '原检查组和已不符合条件的人员不参加重抽。重抽连同理由记入审计链。',
  planRedrawReason: '重抽理由（必填，将被记录）',
  planRedrawDo: '重新抽取',
  planInputs: '抽取依据',
  planAlgorithm: '算法',
  planAlgorithmText: (v) => `${v}：每档企业按 SHA-256(种子‖企业编号) 排序取前 k 家；检查组从覆盖该企业的持证人员中（除去回避者）按 SHA-256(种子‖企业‖人员) 排序取前几名。`,
  planPoolInput: '企业库',
  planRosterInput: '执法人员名录',
  planRecusalInput: '回避名单',
  planPlanHash: '计划内容',
  planChainHead: '审计链锚点',
  planSeed: '随机种子',
  planSeedHow: (event) => `种子 = SHA-256("v1:锚点:计划内容哈希")。锚点是锁定这一审计事件（第 ${event} 号）本身的哈希，锁定前并不存在，任何人都无法挑选。`,
  planResultHash: '结果',
  planPeople: (n) => `${n} 人`,
  planFirms: (n) => `${n} 家`,
  planStrata: '各档抽取',
  planExport: '下载计划文件（JSON）',
  planVerifyHint: '在任何一台电脑上核验抽取结果：',
}, {
  planNew: 'New plan',
  planAbout: '"Two randoms, one public": the enterprises to inspect are drawn at random from the registry by ratios per risk or credit class, the inspectors at random from the certified officers of the jurisdiction (teams of two or more, with recusal), and the results are published. Locking a plan draws it; the draw is recorded in the audit chain and anyone can check it.',
  planNone: (year) => `No plans${year ? ` for ${year}` : ''} yet.`,
  planAllYears: 'All years',
  planYear: 'Year',
  planTitle: 'Title',
  planPeriod: 'Period',
  planStatus: { draft: 'Draft', locked: 'Locked' },
  planProgressLine: (p) => `${p.drawn} drawn · ${p.done} done · ${p.due} due · ${p.overdue} overdue · ${p.returned} returned`,
  planChooseItems: 'In the order ticked: an enterprise takes the first item that fits its category.',
  planNoUsableItems: 'Neither this bureau nor one above it has inspection items yet:',
  planPool: 'Pool (a registry filter)',
  planPoolRegion: 'Region',
  planWholeBureau: 'The whole bureau',
  planPoolCategories: 'Categories (none: those the items cover)',
  planRiskGrades: 'Risk grades (none: all)',
  planLicence: 'Licence',
  planLicenceStates: { '': 'Any', valid: 'Valid licence', missing: 'No valid licence', expiring: 'Expiring within 30 days' },
  planSampling: 'Sampling',
  planSamplingHint: 'A ratio (%) or a count per stratum. Every stratum with enterprises needs one (0 draws none); an enterprise with a credit class is in its credit stratum, others in their risk grade.',
  planStratum: (s) => (s.startsWith('risk:') ? `Risk ${s.slice(5)}` : `Credit ${s.slice(7)}`),
  planUnits: { ratio: '%', count: 'firms' },
  planWindow: 'Window',
  planFrom: 'From',
  planTo: 'To',
  planTeamSize: 'Team size (2 or more)',
  planTeamOf: (n) => `teams of ${n}`,
  planSave: 'Save draft',
  planSaved: 'Saved',
  planLock: 'Lock and draw',
  planLockWarning: 'A locked plan can no longer change and cannot be unlocked. The draw happens at once, is recorded in the audit chain, and the visits go to the drawn officers’ Today.',
  planLockConfirm: 'Lock and draw now',
  planLocking: 'Drawing…',
  planDeleteDraft: 'Delete draft',
  planDeleteWarning: 'Delete this draft?',
  planCancel: 'Cancel',
  planDrawn: (n, pool) => `${n} drawn of ${pool}`,
  planStates: { done: 'Done', due: 'Due', overdue: 'Overdue', returned: 'Returned' },
  planAllStates: 'All',
  planTeam: 'Team',
  planPlannedOn: 'Planned for',
  planRedrawn: (n) => `redrawn ${n}×`,
  planRedraw: 'Redraw team',
  planRedrawTitle: (name) => `Draw a new team for ${name}`,
  planRedrawHint: 'The team it replaces and officers no longer eligible are left out. The redraw and its reason are recorded in the audit chain.',
  planRedrawReason: 'Reason (required, recorded)',
  planRedrawDo: 'Redraw',
  planInputs: 'How it was drawn',
  planAlgorithm: 'Algorithm',
  planAlgorithmText: (v) => `${v}: each stratum ranked by SHA-256(seed ‖ enterprise id), the first k drawn; each team the first officers covering the enterprise (less recusals) by SHA-256(seed ‖ enterprise ‖ officer).`,
  planPoolInput: 'Pool',
  planRosterInput: 'Officer roster',
  planRecusalInput: 'Recusals',
  planPlanHash: 'Plan',
  planChainHead: 'Audit chain anchor',
  planSeed: 'Seed',
  planSeedHow: (event) => `seed = SHA-256("v1:anchor:plan hash"). The anchor is the hash of the lock's own audit event (no. ${event}): it did not exist before the lock and nobody can choose it.`,
  planResultHash: 'Result',
  planPeople: (n) => `${n} officers`,
  planFirms: (n) => `${n} enterprises`,
  planStrata: 'Strata',
  planExport: 'Download the plan file (JSON)',
  planVerifyHint: 'Check the draw on any computer:',
});

const STRATA = ['risk:A', 'risk:B', 'risk:C', 'risk:D', 'credit:A', 'credit:B', 'credit:C', 'credit:D'];
const DEFAULT_RATIOS = { A: 5, B: 10, C: 20, D: 30 }; // the riskier, the more often
const GRADES = ['A', 'B', 'C', 'D'];
const PLAN_FIELDS = ['title', 'year', 'period', 'bureau_code', 'item_ids', 'pool', 'sampling', 'window_start', 'window_end', 'team_size'];
const thisYear = () => Number(today().slice(0, 4));

function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// A modal sheet over the screen.
function Sheet({ label, children }) {
  return html`<div class="plan-sheet" role="dialog" aria-modal="true" aria-label=${label}>
    <div class="plan-sheet-body">${children}</div></div>`;
}

// ---------------------------------------------------------------- the list

export function Plans() {
  const [year, setYear] = useState(String(thisYear()));
  const plans = useApi(`/api/plans${year ? `?year=${year}` : ''}`);
  const years = [1, 0, -1, -2, -3].map((d) => String(thisYear() + d));
  return html`<main class="plans">
    <h1>${t('planList')}</h1>
    <${PlanNav} section="/plans" />
    <label class="plan-year">${t('planYear')}
      <select value=${year} onChange=${(e) => setYear(e.target.value)}>
        <option value="">${t('planAllYears')}</option>
        ${years.map((y) => html`<option value=${y}>${y}</option>`)}
      </select>
    </label>
    <${Problem} error=${plans.error} />
    ${plans.data && plans.data.length === 0 && html`<div class="empty plan-empty">
      <p>${t('planNone')(year)}</p><p class="plan-about">${t('planAbout')}</p></div>`}
    <ul class="cards">${(plans.data || []).map((p) => html`<li key=${p.id}><${PlanCard} plan=${p} /></li>`)}</ul>
    <button class="primary" onClick=${() => navigate('/plans/new')}>${t('planNew')}</button>
  </main>`;
}

function PlanCard({ plan }) {
  return html`<${Link} href=${`/plans/${plan.id}`} class="card plan-card">
    <strong>${plan.title}</strong>
    <span class="muted">${plan.year} · ${plan.period} · ${plan.bureau_name}</span>
    <span class="badges"><span class=${plan.status === 'locked' ? 'badge valid' : 'badge expiring'}>${t('planStatus')[plan.status]}</span>
      <span class="muted small">${formatDate(plan.window_start)} – ${formatDate(plan.window_end)}</span></span>
    ${plan.status === 'locked' && html`<${ProgressLine} plan=${plan} />`}
  <//>`;
}

function ProgressLine({ plan }) {
  const progress = useApi(`/api/plans/${plan.id}/progress`);
  return progress.data && html`<span class="small plan-progress">${t('planProgressLine')(progress.data)}</span>`;
}

// ---------------------------------------------------------------- a draft

function newForm(me) {
  const start = today();
  const year = thisYear();
  return {
    title: `${year}年度双随机抽查`, year: String(year), period: `第${'一二三四'[Math.floor((Number(start.slice(5, 7)) - 1) / 3)]}季度`,
    bureau_code: me.region_code, item_ids: [], pool: { region: '', categories: [], risk_grades: [], licence: '' },
    sampling: Object.fromEntries(STRATA.map((s) => [s, { unit: 'ratio', value: String(DEFAULT_RATIOS[s.slice(-1)]) }])),
    window_start: start, window_end: addDays(start, 30), team_size: '2',
  };
}

function formOf(plan) {
  const rules = Object.fromEntries(plan.sampling.map((r) => [r.stratum, r.count != null
    ? { unit: 'count', value: String(r.count) } : { unit: 'ratio', value: String(r.ratio) }]));
  return {
    ...plan, year: String(plan.year), team_size: String(plan.team_size), item_ids: plan.item_ids,
    pool: { region: plan.pool.region || '', categories: plan.pool.categories || [], risk_grades: plan.pool.risk_grades || [], licence: plan.pool.licence || '' },
    sampling: Object.fromEntries(STRATA.map((s) => [s, rules[s] || { unit: 'ratio', value: '' }])),
  };
}

function bodyOf(form) {
  const pool = { categories: form.pool.categories, risk_grades: form.pool.risk_grades };
  if (form.pool.region) pool.region = form.pool.region;
  if (form.pool.licence) pool.licence = form.pool.licence;
  return {
    title: form.title.trim(), year: Number(form.year), period: form.period.trim(), bureau_code: form.bureau_code,
    item_ids: form.item_ids, pool, window_start: form.window_start, window_end: form.window_end, team_size: Number(form.team_size),
    sampling: STRATA.filter((s) => form.sampling[s].value !== '').map((s) => ({ stratum: s, [form.sampling[s].unit]: Number(form.sampling[s].value) })),
  };
}

export function PlanNew({ me }) {
  return html`<main class="plans">
    <h1>${t('planNew')}</h1>
    <p class="muted">${t('planAbout')}</p>
    <${PlanForm} me=${me} onSaved=${(plan) => navigate(`/plans/${plan.id}`)} />
  </main>`;
}

export function PlanPage({ me, params: [id] }) {
  const plan = useApi(`/api/plans/${id}`);
  if (plan.error) return html`<main><${Problem} error=${plan.error} /></main>`;
  if (!plan.data) return html`<main><p class="muted">${t('loading')}</p></main>`;
  const p = plan.data;
  return html`<main class="plans">
    <${Link} href="/plans" class="muted">‹ ${t('planList')}<//>
    <h1>${p.title}</h1>
    <p class="badges"><span class=${p.status === 'locked' ? 'badge valid' : 'badge expiring'}>${t('planStatus')[p.status]}</span>
      <span class="muted">${p.year} · ${p.period} · ${p.bureau_name}</span></p>
    ${p.status === 'draft' ? html`<${PlanForm} key=${p.updated_at} me=${me} plan=${p} onSaved=${plan.reload} />`
      : html`<${Drawn} plan=${p} />`}
  </main>`;
}

function PlanForm({ me, plan, onSaved }) {
  const regions = useJurisdiction();
  const [form, setForm] = useState(() => (plan ? formOf(plan) : newForm(me)));
  const [dirty, setDirty] = useState(false);
  const { busy, problem, run } = useWrite();
  const [asking, setAsking] = useState(''); // 'lock' or 'delete': the confirmation shown
  const items = useApi(`/api/plan-items?bureau=${form.bureau_code}`);
  const set = (changes) => {
    setForm((old) => ({ ...old, ...changes }));
    setDirty(true);
  };
  const setPool = (changes) => set({ pool: { ...form.pool, ...changes } });
  const setRule = (stratum, changes) => set({ sampling: { ...form.sampling, [stratum]: { ...form.sampling[stratum], ...changes } } });
  const toggle = (list, value) => (list.includes(value) ? list.filter((x) => x !== value) : [...list, value]);
  const bureau = regions.all.find((r) => r.code === form.bureau_code);
  const below = bureau ? regions.all.filter((r) => r.code === bureau.code || r[`${bureau.level}_code`] === bureau.code) : [];

  const act = (what, request) => {
    setAsking('');
    return run(request, what);
  };
  const save = () => (plan
    ? api(`/api/plans/${plan.id}`, { method: 'PATCH', body: bodyOf(form) })
    : api('/api/plans', { method: 'POST', body: bodyOf(form) }));
  const submit = async (event) => {
    event.preventDefault();
    const saved = await act('save', save);
    if (saved) {
      setDirty(false);
      onSaved(saved);
    }
  };
  const lock = () => act('lock', async () => {
    if (dirty) await save();
    return api(`/api/plans/${plan.id}/lock`, { method: 'POST' });
  }).then((locked) => locked && onSaved(locked));
  const remove = () => act('delete', () => api(`/api/plans/${plan.id}`, { method: 'DELETE' }).then(() => navigate('/plans')));
  const field = (names) => html`<${FieldProblem} problem=${problem} fields=${names} />`;

  return html`<form class="form plan-form" onSubmit=${submit}>
    <label>${t('planTitle')}<input required maxlength="200" value=${form.title} onInput=${(e) => set({ title: e.target.value })} /></label>
    ${field(['title'])}
    <div class="plan-pair">
      <label>${t('planYear')}<input type="number" required min="2000" max="2100" value=${form.year} onInput=${(e) => set({ year: e.target.value })} /></label>
      <label>${t('planPeriod')}<input required maxlength="50" value=${form.period} onInput=${(e) => set({ period: e.target.value })} /></label>
    </div>
    ${field(['year', 'period'])}
    <label>${t('planBureau')}
      <select value=${form.bureau_code} onChange=${(e) => set({ bureau_code: e.target.value, pool: { ...form.pool, region: '' } })}>
        ${regions.all.map((r) => html`<option value=${r.code}>${regions.label(r)}</option>`)}
      </select>
    </label>
    ${field(['bureau_code'])}

    <fieldset class="plan-set"><legend>${t('planItems')}</legend>
      <p class="muted small">${t('planChooseItems')}</p>
      ${items.data && items.data.length === 0 && html`<p class="muted">${t('planNoUsableItems')} <${Link} href="/plans/items">${t('planItems')}<//></p>`}
      <div class="plan-checks">${(items.data || []).map((i) => html`<label class="choice" key=${i.id}>
        <input type="checkbox" checked=${form.item_ids.includes(i.id)} onChange=${() => set({ item_ids: toggle(form.item_ids, i.id) })} />
        <span>${i.name}<br /><span class="muted small">${i.categories.map((c) => t('categories')[c]).join('、')}</span></span></label>`)}</div>
      ${field(['item_ids'])}
    </fieldset>

    <fieldset class="plan-set"><legend>${t('planPool')}</legend>
      <label>${t('planPoolRegion')}
        <select value=${form.pool.region} onChange=${(e) => setPool({ region: e.target.value })}>
          <option value="">${t('planWholeBureau')}</option>
          ${below.map((r) => html`<option value=${r.code}>${'\u3000'.repeat(LEVELS.indexOf(r.level) - LEVELS.indexOf(bureau.level))}${regions.names[r.code]}</option>`)}
        </select>
      </label>
      <span class="muted small">${t('planPoolCategories')}</span>
      <${CategoryBoxes} name=${t('planPoolCategories')} value=${form.pool.categories} onChange=${(categories) => setPool({ categories })} />
      <span class="muted small">${t('planRiskGrades')}</span>
      <div class="plan-grades" role="group" aria-label=${t('planRiskGrades')}>${GRADES.map((g) => html`<label class="choice" key=${g}>
        <input type="checkbox" checked=${form.pool.risk_grades.includes(g)} onChange=${() => setPool({ risk_grades: toggle(form.pool.risk_grades, g) })} />${g}</label>`)}</div>
      <label>${t('planLicence')}
        <select value=${form.pool.licence} onChange=${(e) => setPool({ licence: e.target.value })}>
          ${Object.entries(t('planLicenceStates')).map(([v, label]) => html`<option value=${v}>${label}</option>`)}
        </select>
      </label>
      ${field(['pool'])}
    </fieldset>

    <fieldset class="plan-set"><legend>${t('planSampling')}</legend>
      <p class="muted small">${t('planSamplingHint')}</p>
      <div class="plan-strata">${STRATA.map((s) => html`<label key=${s} class="plan-rule"><span>${t('planStratum')(s)}</span>
        <input type="number" min="0" max=${form.sampling[s].unit === 'ratio' ? 100 : 1000000} step=${form.sampling[s].unit === 'ratio' ? 'any' : 1}
          inputmode="decimal" value=${form.sampling[s].value} aria-label=${t('planStratum')(s)} onInput=${(e) => setRule(s, { value: e.target.value })} />
        <select value=${form.sampling[s].unit} aria-label=${`${t('planStratum')(s)} ${t('planSampling')}`} onChange=${(e) => setRule(s, { unit: e.target.value })}>
          ${Object.entries(t('planUnits')).map(([v, label]) => html`<option value=${v}>${label}</option>`)}
        </select></label>`)}</div>
      ${field(['sampling'])}
    </fieldset>

    <fieldset class="plan-set"><legend>${t('planWindow')}</legend>
      <div class="plan-pair">
        <label>${t('planFrom')}<input type="date" required value=${form.window_start} onInput=${(e) => set({ window_start: e.target.value })} /></label>
        <label>${t('planTo')}<input type="date" required value=${form.window_end} onInput=${(e) => set({ window_end: e.target.value })} /></label>
      </div>
      ${field(['window_start', 'window_end'])}
    </fieldset>
    <label>${t('planTeamSize')}<input type="number" required min="2" max="10" value=${form.team_size} onInput=${(e) => set({ team_size: e.target.value })} /></label>
    ${field(['team_size'])}

    <${OtherProblem} problem=${problem} fields=${PLAN_FIELDS} />
    <button class="primary" disabled=${!!busy}>${busy === 'save' ? t('planSaving') : t('planSave')}</button>
    ${plan && !dirty && !busy && !problem && html`<p class="ok centre-text" role="status">${t('planSaved')}</p>`}
    ${plan && html`
      <button type="button" class="primary plan-lock" disabled=${!!busy} onClick=${() => setAsking('lock')}>${busy === 'lock' ? t('planLocking') : t('planLock')}</button>
      <button type="button" class="secondary danger" disabled=${!!busy} onClick=${() => setAsking('delete')}>${t('planDeleteDraft')}</button>`}
    ${asking && html`<${Sheet} label=${t(asking === 'lock' ? 'planLock' : 'planDeleteDraft')}>
      <p class="lead">${t(asking === 'lock' ? 'planLockWarning' : 'planDeleteWarning')}</p>
      <button type="button" class=${asking === 'lock' ? 'primary' : 'secondary danger'} onClick=${asking === 'lock' ? lock : remove}>
        ${t(asking === 'lock' ? 'planLockConfirm' : 'planDeleteDraft')}</button>
      <button type="button" class="secondary" onClick=${() => setAsking('')}>${t('planCancel')}</button>
    <//>`}
  </form>`;
}

// ---------------------------------------------------------------- a locked plan: its draw and progress

function Drawn({ plan }) {
  const draw = useApi(`/api/plans/${plan.id}/draw`);
  const progress = useApi(`/api/plans/${plan.id}/progress`);
  const [shown, setShown] = useState('');
  const [redrawing, setRedrawing] = useState(null); // the drawn enterprise whose team is being redrawn
  if (draw.error || progress.error) return html`<${Problem} error=${draw.error || progress.error} />`;
  if (!draw.data || !progress.data) return html`<p class="muted">${t('loading')}</p>`;
  const d = draw.data;
  const p = progress.data;
  const names = Object.fromEntries(d.officers.map((o) => [o.id, o.display_name]));
  const visits = Object.fromEntries(p.items.map((i) => [i.visit_id, i]));
  const rows = d.result.filter((r) => !shown || visits[r.visit_id]?.state === shown);
  const figures = [['', p.drawn], ...['done', 'due', 'overdue', 'returned'].map((s) => [s, p[s]])];
  const done = () => {
    setRedrawing(null);
    draw.reload();
    progress.reload();
  };
  return html`
    <p class="lead">${t('planDrawn')(d.result.length, d.inputs.pool_size)}</p>
    <p class="muted">${t('planWindow')} ${formatDate(plan.window_start)} – ${formatDate(plan.window_end)} · ${t('planTeamOf')(plan.team_size)}</p>
    <nav class="chips plan-states" aria-label=${t('planList')}>${figures.map(([state, n]) => html`<button key=${state}
      class=${state === shown ? 'chip on' : 'chip'} aria-pressed=${state === shown} data-state=${state || 'all'} onClick=${() => setShown(state)}>
      ${state ? t('planStates')[state] : t('planAllStates')} ${n}</button>`)}</nav>
    <ul class="cards">${rows.map((r) => {
      const visit = visits[r.visit_id];
      const filed = visit && visit.status !== 'planned';
      return html`<li key=${r.enterprise_id} class="card plan-drawn" data-enterprise=${r.enterprise_name}>
        <${Link} href=${filed ? `/visits/${r.visit_id}` : `/enterprises/${r.enterprise_id}`}><strong>${r.enterprise_name}</strong><//>
        <span class="muted small mono">${r.uscc}</span>
        <span class="muted">${t('planStratum')(r.stratum)} · ${t('planPlannedOn')} ${formatDate(r.planned_date)}</span>
        <span>${t('planTeam')}：${r.team.map((id) => names[id] || id.slice(0, 8)).join('、')}
          ${r.redraws > 0 && html` <span class="muted small">（${t('planRedrawn')(r.redraws)}）</span>`}</span>
        ${visit && html`<span class="badges"><span class=${`badge plan-${visit.state}`}>${t('planStates')[visit.state]}</span>
          ${filed && html`<span class="muted small">${t('visit_statuses')[visit.status]}</span>`}</span>`}
        ${visit?.status === 'planned' && html`<button class="small plan-redraw" onClick=${() => setRedrawing(r)}>${t('planRedraw')}</button>`}
      </li>`;
    })}</ul>
    ${redrawing && html`<${Redraw} plan=${plan} drawn=${redrawing} onDone=${done} onCancel=${() => setRedrawing(null)} />`}
    <${Inputs} plan=${plan} draw=${d} />`;
}

// A new team for one enterprise: a reason, sent with an id made when the dialog opens, so
// that a retry of the same redraw is one act.
function Redraw({ plan, drawn, onDone, onCancel }) {
  const [id] = useState(() => crypto.randomUUID());
  const [reason, setReason] = useState('');
  const { busy, problem, run } = useWrite('redraw.');
  const submit = (event) => {
    event.preventDefault();
    run(async () => {
      await api(`/api/plans/${plan.id}/redraw`, { method: 'POST', body: { id, enterprise_id: drawn.enterprise_id, reason: reason.trim() } });
      onDone();
    });
  };
  return html`<${Sheet} label=${t('planRedraw')}>
    <form class="form" onSubmit=${submit}>
      <p class="lead">${t('planRedrawTitle')(drawn.enterprise_name)}</p>
      <p class="muted small">${t('planRedrawHint')}</p>
      <label>${t('planRedrawReason')}
        <textarea required maxlength="500" rows="3" value=${reason} onInput=${(e) => setReason(e.target.value)}></textarea>
      </label>
      <${FieldProblem} problem=${problem} fields=${['reason']} />
      <${OtherProblem} problem=${problem} fields=${['reason']} />
      <button class="primary" disabled=${busy || !reason.trim()}>${busy ? t('planLocking') : t('planRedrawDo')}</button>
      <button type="button" class="secondary" onClick=${onCancel}>${t('planCancel')}</button>
    </form>
  <//>`;
}

function Inputs({ plan, draw }) {
  const i = draw.inputs;
  const hash = (h) => html`<span class="mono small plan-hash">${h}</span>`;
  return html`<section class="plan-inputs">
    <h2>${t('planInputs')}</h2>
    <dl>
      <dt>${t('planAlgorithm')}</dt><dd>${t('planAlgorithmText')(draw.algorithm)}</dd>
      <dt>${t('planPoolInput')}</dt><dd>${t('planFirms')(i.pool_size)} ${hash(i.pool_hash)}</dd>
      <dt>${t('planRosterInput')}</dt><dd>${t('planPeople')(i.roster_size)} ${hash(i.roster_hash)}</dd>
      <dt>${t('planRecusalInput')}</dt><dd>${hash(i.recusal_hash)}</dd>
      <dt>${t('planPlanHash')}</dt><dd>${hash(i.plan_hash)}</dd>
      <dt>${t('planChainHead')}</dt><dd>#${i.lock_event_id} ${hash(i.chain_head)}</dd>
      <dt>${t('planSeed')}</dt><dd>${hash(draw.seed)}<span class="muted small">${t('planSeedHow')(i.lock_event_id)}</span></dd>
      <dt>${t('planResultHash')}</dt><dd>${hash(draw.result_hash)}</dd>
    </dl>
    <h2>${t('planStrata')}</h2>
    <table class="dash-table plan-strata-table"><tbody>${draw.strata.map((s) => html`<tr key=${s.stratum}>
      <th>${t('planStratum')(s.stratum)}</th><td>${s.ratio != null ? `${s.ratio}%` : t('planFirms')(s.count)}</td>
      <td>${s.drawn} / ${s.pool}</td></tr>`)}</tbody></table>
    <p><a class="plan-export" href=${`/api/plans/${plan.id}/export`} download=${`plan-${plan.id}.json`}>${t('planExport')}</a></p>
    <p class="muted small">${t('planVerifyHint')} <code class="mono">dossier verify-draw --file plan-${plan.id}.json</code></p>
  </section>`;
}
