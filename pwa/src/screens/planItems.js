// Random-draw plans, the lists beside them: what may be inspected (抽查事项) and declared
// conflicts of interest (回避); and what the plan screens share: their tabs, the regions of
// the user's jurisdiction, and refusals told in Chinese next to the field at fault.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { explain } from '../errors.js';
import { addStrings, formatDate, lang, t } from '../i18n.js';
import { Link, signInAgain, useApi } from '../router.js';
import { Problem } from '../ui.js';

addStrings({
  plansTab: '抽查',
  planList: '抽查计划',
  planItems: '抽查事项',
  planConflicts: '回避',
  planBureau: '实施机关（地区）',
  planUpperBureau: '上级局',
  planItemName: '事项名称',
  planLegalBasis: '检查依据',
  planCategories: '适用企业类别',
  planChecklist: '检查表',
  planAddItem: '添加抽查事项',
  planNoItems: '还没有抽查事项。抽查计划从事项中选择：写明名称、依据的法规条款、适用的企业类别和使用的检查表。',
  planDelete: '删除',
  planSaving: '正在保存…',
  planOfficer: '执法人员',
  planFindOfficer: '输入姓名查找执法人员',
  planFindEnterprise: '输入企业名称或信用代码查找',
  planEnterprise: '企业',
  planConflictReason: '回避理由',
  planDeclare: '登记回避',
  planNoConflicts: '没有登记的回避。执法人员与企业有利害关系（亲属、曾任职等）时在此登记，抽取检查组时不会派他去这家企业。',
  planConflictsHint: '抽取检查组时，还会自动回避上一次检查该企业的人员。',
  planDeclaredOn: '登记于',
  planWithdraw: '撤销',
  planDetail: '详情：',
  planFieldProblems: {
    title: '请填写计划名称（200 字以内）。',
    year: '年度应在 2000–2100 之间。',
    period: '请填写期间，如“第四季度”。',
    bureau_code: '实施机关须在您的管辖范围内。',
    item_ids: '请至少选择一个本局或上级局的抽查事项。',
    'pool.region': '抽查范围须在实施机关的辖区之内。',
    'pool.categories': '所选企业类别没有对应的抽查事项：加选事项或去掉该类别。',
    pool: '按此范围，名录中没有可抽取的企业：请放宽地区、类别、风险等级或许可证状态。',
    sampling: '抽取比例有误：每个有企业的档次都要填写比例或数量（填 0 表示不抽），比例在 0–100% 之间，合计至少抽到一家。',
    window_start: '检查时段不能从过去开始：最早从今天开始。',
    window_end: '结束日期不能早于开始日期。',
    team_size: '检查组至少 2 人；若已够 2 人，说明有企业的可派执法人员（持证、辖区覆盖、未回避）不足一组：请补录执法证号、复核回避或减少每组人数。',
    region_code: '所选地区不在您的管辖范围内。',
    name: '请填写名称（200 字以内）。',
    legal_basis: '请填写检查依据（500 字以内）。',
    categories: '请至少选择一个企业类别。',
    checklist_code: '请选择检查表。',
    officer_id: '请选择本辖区的检查人员或局领导（检查人员只能登记自己的回避）。',
    enterprise_id: '请选择本辖区的企业。',
    reason: '请写明理由（500 字以内）。',
    item_id: '该事项属于上级局，或已有计划使用，不能删除。',
    'redraw.enterprise_id': '这家企业的检查已经开始或完成，检查组不能再换；或排除原检查组后可派人员不足一组。',
    'redraw.id': '这次重抽的编号已用于另一次重抽，请关闭对话框后重试。',
  },
  planLocked: '计划已锁定并完成抽取，不能再修改。',
}, {
  plansTab: 'Random checks',
  planList: 'Plans',
  planItems: 'Inspection items',
  planConflicts: 'Recusals',
  planBureau: 'Issuing bureau (region)',
  planUpperBureau: 'Bureau above',
  planItemName: 'Item name',
  planLegalBasis: 'Legal basis',
  planCategories: 'Enterprise categories',
  planChecklist: 'Checklist',
  planAddItem: 'Add inspection item',
  planNoItems: 'No inspection items yet. Plans choose from them: a name, the legal basis, the enterprise categories and the checklist used.',
  planDelete: 'Delete',
  planSaving: 'Saving…',
  planOfficer: 'Officer',
  planFindOfficer: 'Type an officer’s name',
  planFindEnterprise: 'Type an enterprise name or credit code',
  planEnterprise: 'Enterprise',
  planConflictReason: 'Reason',
  planDeclare: 'Declare conflict',
  planNoConflicts: 'No declared conflicts. Declare one when an officer has an interest in an enterprise (family, former employer…): the draw never sends them there.',
  planConflictsHint: 'The draw also keeps away the team of the enterprise’s previous visit.',
  planDeclaredOn: 'Declared',
  planWithdraw: 'Withdraw',
  planDetail: 'Detail: ',
  planFieldProblems: {},
  planLocked: 'The plan is locked and drawn: it can no longer change.',
});

const CATEGORIES = ['food_production', 'food_related_products', 'special_equipment', 'industrial_products'];
export const LEVELS = ['province', 'city', 'county'];

// The tabs of the plan screens.
export function PlanNav({ section }) {
  const sections = [['/plans', 'planList'], ['/plans/items', 'planItems'], ['/plans/conflicts', 'planConflicts']];
  return html`<nav class="chips plan-nav" aria-label=${t('plansTab')}>
    ${sections.map(([href, label]) => html`<${Link} href=${href} class=${href === section ? 'chip on' : 'chip'}
      aria-current=${href === section ? 'page' : undefined}>${t(label)}<//>`)}
  </nav>`;
}

// The regions of the user's jurisdiction, in tree order, with their names and an indented label.
export function useJurisdiction() {
  const { data, error } = useApi('/api/regions');
  const all = data || [];
  const top = all.length ? Math.min(...all.map((r) => LEVELS.indexOf(r.level))) : 0;
  const name = (r) => (lang === 'en' && r.name_en ? r.name_en : r.name);
  return {
    all,
    error,
    names: Object.fromEntries(all.map((r) => [r.code, name(r)])),
    label: (r) => `${'\u3000'.repeat(LEVELS.indexOf(r.level) - top)}${name(r)}`,
  };
}

// A refusal as a person reads it: the field it names (the first key of `extra`, as
// "sampling[2].ratio") and a sentence in the interface's language, with the server's own
// words beside the Chinese one (they name the enterprises, dates and counts at fault).
// `act` names the request when its fields mean something of their own ('redraw.').
export function refusal(error, act = '') {
  if (error instanceof ApiError && error.status === 401) signInAgain();
  const key = error?.body?.extra?.[0]?.key || '';
  const field = key.replace(/\[\d+\]/g, '').replace(/\.(ratio|count|stratum)$/, '');
  const words = t('planFieldProblems');
  const plan = error?.status === 409 && !act && !['item_id', 'enterprise_id'].includes(key);
  const chinese = lang === 'zh-CN' && (plan ? t('planLocked') : words[act + field] || words[field] || words[field.split('.')[0]]);
  const said = explain(error);
  return { key, field, message: chinese || said, detail: chinese ? said : '' };
}

// A write and what came of it: `run(request)` sends it (follow-ups go inside `request`),
// keeps `busy` (the `what` given, or true) while it is under way and `problem` (a refusal)
// when it is refused. Answers what `request` answered, or null when refused.
export function useWrite(act = '') {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const run = async (request, what = true) => {
    setBusy(what);
    setProblem(null);
    try {
      return await request();
    } catch (e) {
      setProblem(refusal(e, act));
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, run };
}

// A refusal shown where the field is: `fields` names the fields this spot stands for.
// It scrolls into view when it appears: on a phone the field may be far above the button.
export function FieldProblem({ problem, fields }) {
  const ref = useRef(null);
  const shown = problem && fields.some((f) => problem.field === f || problem.field.startsWith(`${f}.`));
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView({ block: 'center' });
  }, [problem]);
  if (!shown) return null;
  return html`<p class="problem field-problem" role="alert" ref=${ref}>${problem.message}
    ${problem.detail && html`<span class="muted small">${t('planDetail')}${problem.detail}</span>`}</p>`;
}

// A refusal no field of the form stands for.
export function OtherProblem({ problem, fields }) {
  if (!problem || fields.some((f) => problem.field === f || problem.field.startsWith(`${f}.`))) return null;
  return html`<p class="problem" role="alert">${problem.message}
    ${problem.detail && html`<span class="muted small"> ${t('planDetail')}${problem.detail}</span>`}</p>`;
}

export function CategoryBoxes({ value, onChange, name }) {
  const toggle = (c) => onChange(value.includes(c) ? value.filter((x) => x !== c) : [...value, c]);
  return html`<div class="plan-checks" role="group" aria-label=${name}>
    ${CATEGORIES.map((c) => html`<label class="choice" key=${c}>
      <input type="checkbox" checked=${value.includes(c)} onChange=${() => toggle(c)} />${t('categories')[c]}</label>`)}
  </div>`;
}

// ---------------------------------------------------------------- items (抽查事项)

const ITEM_FIELDS = ['region_code', 'name', 'legal_basis', 'categories', 'checklist_code'];

export function PlanItems({ me }) {
  const regions = useJurisdiction();
  const items = useApi('/api/plan-items');
  const checklists = useApi('/api/checklists');
  const templates = {};
  for (const c of checklists.data || []) templates[c.code] = lang === 'en' ? c.title_en : c.title;
  const blank = { region_code: me.region_code, name: '', legal_basis: '', categories: [], checklist_code: '' };
  const [form, setForm] = useState(blank);
  const { busy, problem, run } = useWrite();
  const set = (changes) => setForm((old) => ({ ...old, ...changes }));

  const add = (event) => {
    event.preventDefault();
    run(async () => {
      await api('/api/plan-items', { method: 'POST', body: { ...form, name: form.name.trim(), legal_basis: form.legal_basis.trim() } });
      setForm({ ...blank, region_code: form.region_code, checklist_code: form.checklist_code });
      items.reload();
    });
  };
  const remove = (id) => run(async () => {
    await api(`/api/plan-items/${id}`, { method: 'DELETE' });
    items.reload();
  });

  return html`<main class="plans">
    <h1>${t('planItems')}</h1>
    <${PlanNav} section="/plans/items" />
    <${Problem} error=${items.error || regions.error} />
    <${OtherProblem} problem=${problem} fields=${ITEM_FIELDS} />
    ${items.data && items.data.length === 0 && html`<p class="empty">${t('planNoItems')}</p>`}
    <ul class="cards">${(items.data || []).map((i) => html`<li key=${i.id} class="card row plan-item">
      <span><strong>${i.name}</strong><br />
        <span class="muted">${regions.names[i.region_code] || `${t('planUpperBureau')} ${i.region_code}`}
          · ${i.categories.map((c) => t('categories')[c]).join('、')} · ${templates[i.checklist_code] || i.checklist_code}</span><br />
        <span class="small">${i.legal_basis}</span></span>
      ${regions.names[i.region_code] && html`<button class="small" onClick=${() => remove(i.id)}>${t('planDelete')}</button>`}
    </li>`)}</ul>

    <h2>${t('planAddItem')}</h2>
    <form class="form" onSubmit=${add}>
      <label>${t('planBureau')}
        <select value=${form.region_code} onChange=${(e) => set({ region_code: e.target.value })}>
          ${regions.all.map((r) => html`<option value=${r.code}>${regions.label(r)}</option>`)}
        </select>
      </label>
      <${FieldProblem} problem=${problem} fields=${['region_code']} />
      <label>${t('planItemName')}
        <input required maxlength="200" value=${form.name} onInput=${(e) => set({ name: e.target.value })} />
      </label>
      <${FieldProblem} problem=${problem} fields=${['name']} />
      <label>${t('planLegalBasis')}
        <textarea required maxlength="500" rows="2" value=${form.legal_basis} onInput=${(e) => set({ legal_basis: e.target.value })}></textarea>
      </label>
      <${FieldProblem} problem=${problem} fields=${['legal_basis']} />
      <span class="muted small">${t('planCategories')}</span>
      <${CategoryBoxes} name=${t('planCategories')} value=${form.categories} onChange=${(categories) => set({ categories })} />
      <${FieldProblem} problem=${problem} fields=${['categories']} />
      <label>${t('planChecklist')}
        <select required value=${form.checklist_code} onChange=${(e) => set({ checklist_code: e.target.value })}>
          <option value="">—</option>
          ${Object.entries(templates).map(([code, title]) => html`<option value=${code}>${title}</option>`)}
        </select>
      </label>
      <${FieldProblem} problem=${problem} fields=${['checklist_code']} />
      <button class="primary" disabled=${busy}>${busy ? t('planSaving') : t('planAddItem')}</button>
    </form>
  </main>`;
}

// ---------------------------------------------------------------- conflicts (回避)

const CONFLICT_FIELDS = ['officer_id', 'enterprise_id', 'reason'];

// A search box that offers what `find(text)` answers, 250 ms after the typing stops.
function Finder({ label, placeholder, find, chosen, onChoose }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState([]);
  useEffect(() => {
    if (!text.trim()) return setFound([]);
    const timer = setTimeout(() => find(text.trim()).then(setFound, () => setFound([])), 250);
    return () => clearTimeout(timer);
  }, [text]);
  return html`<label>${label}
    <input type="search" placeholder=${placeholder} value=${text} onInput=${(e) => setText(e.target.value)} />
  </label>
  ${found.length > 0 && html`<div class="plan-checks" role="radiogroup" aria-label=${label}>
    ${found.map((f) => html`<label key=${f.id} class="choice">
      <input type="radio" checked=${chosen === f.id} onChange=${() => onChoose(f.id)} />${f.label}</label>`)}
  </div>`}`;
}

const findOfficers = (q) => api(`/api/users?${new URLSearchParams({ q, limit: '20' })}`).then((page) => page.items
  .filter((u) => u.active && (u.role === 'inspector' || u.role === 'supervisor'))
  .map((u) => ({ id: u.id, label: `${u.display_name} · ${t('roles')[u.role]}` })));
const findEnterprises = (q) => api(`/api/enterprises?${new URLSearchParams({ q, limit: '8' })}`)
  .then((page) => page.items.map((e) => ({ id: e.id, label: e.name })));

export function PlanConflicts() {
  const list = useApi('/api/conflicts');
  const [form, setForm] = useState({ officer_id: '', enterprise_id: '', reason: '' });
  const { busy, problem, run } = useWrite();
  const [round, setRound] = useState(0); // a new form (empty searches) after each declaration
  const set = (changes) => setForm((old) => ({ ...old, ...changes }));

  const declare = (event) => {
    event.preventDefault();
    run(async () => {
      await api('/api/conflicts', { method: 'POST', body: { ...form, reason: form.reason.trim() } });
      setForm({ officer_id: '', enterprise_id: '', reason: '' });
      setRound((n) => n + 1);
      list.reload();
    });
  };
  const withdraw = (id) => run(async () => {
    await api(`/api/conflicts/${id}`, { method: 'DELETE' });
    list.reload();
  });

  return html`<main class="plans">
    <h1>${t('planConflicts')}</h1>
    <${PlanNav} section="/plans/conflicts" />
    <${Problem} error=${list.error} />
    <${OtherProblem} problem=${problem} fields=${CONFLICT_FIELDS} />
    ${list.data && list.data.length === 0 && html`<p class="empty">${t('planNoConflicts')}</p>`}
    <ul class="cards">${(list.data || []).map((c) => html`<li key=${c.id} class="card row plan-conflict">
      <span><strong>${c.officer_name}</strong> × ${c.enterprise_name}<br />
        <span class="small">${c.reason}</span><br />
        <span class="muted">${t('planDeclaredOn')} ${formatDate(c.declared_at)}</span></span>
      <button class="small" onClick=${() => withdraw(c.id)}>${t('planWithdraw')}</button>
    </li>`)}</ul>
    <p class="muted">${t('planConflictsHint')}</p>

    <h2>${t('planDeclare')}</h2>
    <form class="form" onSubmit=${declare} key=${round}>
      <${Finder} label=${t('planOfficer')} placeholder=${t('planFindOfficer')} find=${findOfficers}
        chosen=${form.officer_id} onChoose=${(officer_id) => set({ officer_id })} />
      <${FieldProblem} problem=${problem} fields=${['officer_id']} />
      <${Finder} label=${t('planEnterprise')} placeholder=${t('planFindEnterprise')} find=${findEnterprises}
        chosen=${form.enterprise_id} onChoose=${(enterprise_id) => set({ enterprise_id })} />
      <${FieldProblem} problem=${problem} fields=${['enterprise_id']} />
      <label>${t('planConflictReason')}
        <textarea required maxlength="500" rows="2" value=${form.reason} onInput=${(e) => set({ reason: e.target.value })}></textarea>
      </label>
      <${FieldProblem} problem=${problem} fields=${['reason']} />
      <button class="primary" disabled=${busy || !form.officer_id || !form.enterprise_id}>${busy ? t('planSaving') : t('planDeclare')}</button>
    </form>
  </main>`;
}
