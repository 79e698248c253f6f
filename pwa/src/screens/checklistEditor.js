// The checklist editor (admin.js, 检查表): the next version of a checklist as a form seeded
// with its latest version — sections and their items, each with its kind, class, severity
// and legal basis. Publishing sends the version's JSON (POST /api/checklists/{code}/versions,
// backend/inspections/schemas.py ChecklistVersionIn); a refusal is shown at the field it
// names. The JSON itself stays at hand, for bulk changes: applied, it fills the form.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { explain } from '../errors.js';
import { addStrings, t } from '../i18n.js';
import { signInAgain } from '../router.js';
import { itemClass } from '../rules.js';
import { Problem } from '../ui.js';

addStrings({
  ceHint: '在最新版本的基础上修改，发布后成为新版本；已发布的版本不会改变。',
  ceSection: (n) => `第 ${n} 部分`,
  ceSectionTitle: '部分标题',
  ceItem: (n, key) => `第 ${n} 项${key ? `（${key}）` : ''}`,
  ceKey: '编号（如 A1）',
  ceText: '检查内容',
  ceKind: '检查方式',
  ceKinds: { pass_fail: '判定是否符合', number: '填写数值', text: '文字记录', choice: '从选项中选择' },
  ceClass: '项目类别',
  ceSeverity: '不符合时的严重程度',
  ceLegalBasis: '法律依据',
  cePhoto: '不符合时必须拍照',
  ceUnit: '单位',
  ceMin: '下限',
  ceMax: '上限',
  ceChoices: '选项（每行一个，至少两个）',
  ceUp: '上移',
  ceDown: '下移',
  ceRemoveItem: '删除此项',
  ceRemoveSection: '删除此部分',
  ceAddItem: '添加检查项',
  ceAddSection: '添加部分',
  ceRules: '本表的规则（表单中不修改，随新版本原样发布；如需修改，请用 JSON 导入）',
  ceCoverage: (types, keys, all, keyWord, na) => `${types || '每次检查'}至少检查 ${keys} 个${keyWord}、共 ${all} 项（「${na}」不计）`,
  ceNaReason: (na) => `「${na}」须在备注中说明理由`,
  ceWhen: (n, what, result, then) => `${n > 1 ? `有 ${n} 个及以上` : '有'}${what || '检查项'}「${result}」：结论为「${then}」`,
  ceOtherwise: (then) => `其余情况：结论为「${then}」`,
  ceJson: 'JSON 导入',
  ceJsonHint: '批量修改：编辑下面的 JSON（sections → items），再载入表单，核对后发布。',
  ceJsonApply: '载入表单',
  ceJsonNoSections: 'JSON 中应有 sections 列表，每个部分有 items 列表。',
  ceFieldAt: (place, field) => `（位置：${place}${field ? ` · 「${field}」` : ''}）`,
  ceBadJson: (line, column) => `JSON 格式有误${line ? `：第 ${line} 行第 ${column} 列附近` : ''}。请检查括号、引号和逗号。`,
  publish: '发布新版本',
  publishing: '正在发布…',
}, {
  ceHint: 'Edit the latest version below; publishing makes a new version. Published versions never change.',
  ceSection: (n) => `Section ${n}`,
  ceSectionTitle: 'Section title',
  ceItem: (n, key) => `Item ${n}${key ? ` (${key})` : ''}`,
  ceKey: 'Key (e.g. A1)',
  ceText: 'What is checked',
  ceKind: 'Answered by',
  ceKinds: { pass_fail: 'Conforms or not', number: 'A number', text: 'A written note', choice: 'A choice' },
  ceClass: 'Class',
  ceSeverity: 'Severity of a failure',
  ceLegalBasis: 'Legal basis',
  cePhoto: 'A photo is required when it fails',
  ceUnit: 'Unit',
  ceMin: 'Lower limit',
  ceMax: 'Upper limit',
  ceChoices: 'Choices (one a line, two or more)',
  ceUp: 'Move up',
  ceDown: 'Move down',
  ceRemoveItem: 'Remove this item',
  ceRemoveSection: 'Remove this section',
  ceAddItem: 'Add an item',
  ceAddSection: 'Add a section',
  ceRules: "This checklist's rules (not edited in the form; published with the new version as they are — use the JSON import to change them)",
  ceCoverage: (types, keys, all, keyWord, na) => `${types || 'Every visit'} examines at least ${keys} × ${keyWord}, ${all} items in all ("${na}" does not count)`,
  ceNaReason: (na) => `"${na}" says why in the answer's note`,
  ceWhen: (n, what, result, then) => `${n > 1 ? `${n} or more` : 'Any'} ${what || 'item'} "${result}": the conclusion is "${then}"`,
  ceOtherwise: (then) => `Otherwise: the conclusion is "${then}"`,
  ceJson: 'JSON import',
  ceJsonHint: 'For bulk changes: edit the JSON below (sections → items), load it into the form, check it, then publish.',
  ceJsonApply: 'Load into the form',
  ceJsonNoSections: 'The JSON needs a sections list, each section with an items list.',
  ceFieldAt: (place, field) => ` (at ${place}${field ? `, "${field}"` : ''})`,
  ceBadJson: (line, column) => `The JSON is not valid${line ? ` near line ${line}, column ${column}` : ''}: check its brackets, quotes and commas.`,
  publish: 'Publish new version',
  publishing: 'Publishing…',
});

const KINDS = ['pass_fail', 'number', 'text', 'choice'];
const COMMON = ['key', 'text', 'kind', 'class', 'severity', 'legal_basis', 'photo_required_on_fail'];
const FOR_KIND = { number: ['unit', 'min', 'max'], choice: ['choices'] }; // fields only these kinds have
const LABELS = { key: 'ceKey', text: 'ceText', kind: 'ceKind', class: 'ceClass', severity: 'ceSeverity', legal_basis: 'ceLegalBasis',
  photo_required_on_fail: 'cePhoto', unit: 'ceUnit', min: 'ceMin', max: 'ceMax', choices: 'ceChoices', title: 'ceSectionTitle' };
// Sections and items carry an id of the form's own (a symbol: JSON leaves it out), so that
// an entry moved or removed keeps its own inputs and its folding.
const ID = Symbol('id');
let lastId = 0;
const withId = (entry) => ({ ...entry, [ID]: ++lastId });
const newItem = () => withId({ key: '', text: '', kind: 'pass_fail', severity: 'major', legal_basis: '', photo_required_on_fail: false });
const shownFields = (item) => [...COMMON, ...(FOR_KIND[item.kind] || [])];

// The form's content as the server takes it: an item keeps only its kind's fields; choices
// are the lines written; an item's class stays absent until chosen (checklists.item_class).
function versionOf({ sections, rules }) {
  const itemOut = (item) => {
    const out = { ...item };
    for (const [kind, fields] of Object.entries(FOR_KIND)) if (item.kind !== kind) fields.forEach((f) => delete out[f]);
    if (out.choices) out.choices = out.choices.map((c) => c.trim()).filter(Boolean);
    return out;
  };
  return { sections: sections.map((s) => ({ ...s, items: s.items.map(itemOut) })), ...(rules ? { rules } : {}) };
}

// A content's form: what the JSON holds, checked only for the lists the form walks (the
// form changes it by copies, never in place).
function formOf(content) {
  if (!Array.isArray(content?.sections) || !content.sections.every((s) => Array.isArray(s?.items))) throw new Error(t('ceJsonNoSections'));
  return { sections: content.sections.map((s) => withId({ ...s, items: s.items.map(withId) })), rules: content.rules };
}

// Where in the form a refused field is (the server's path, e.g. sections[1].items[2].legal_basis):
// the field's own input, else its item, its section's item list or its section.
const PATH = /^sections\[(\d+)\](?:\.(title)|\.items(?:\[(\d+)\](?:\.(\w+))?)?)?/;
function placeOf(key, sections) {
  const m = PATH.exec(key || '');
  if (!m) return null;
  const [, s, title, i, field] = m;
  const section = `sections[${s}]`;
  if (title) return `${section}.title`;
  if (i === undefined) return key.startsWith(`${section}.items`) ? `${section}.items` : section;
  const item = sections[s]?.items[i];
  return item && shownFields(item).includes(field) ? `${section}.items[${i}].${field}` : `${section}.items[${i}]`;
}

// Where the browser's JSON parser stopped, as [line, column]: Chromium says a position,
// Firefox a line and column, Safari nothing.
function jsonPlace(message, text) {
  const position = /position (\d+)/.exec(message);
  if (!position) return (/line (\d+) column (\d+)/.exec(message) || []).slice(1);
  const lines = text.slice(0, Number(position[1])).split('\n');
  return [lines.length, lines[lines.length - 1].length + 1];
}

// The same place in words, for the message at the top.
function placeName(at) {
  const [, s, title, i, field] = PATH.exec(at);
  const place = [t('ceSection')(Number(s) + 1), i !== undefined && t('ceItem')(Number(i) + 1)].filter(Boolean).join(' · ');
  return t('ceFieldAt')(place, (field || title) && t(LABELS[field || title]));
}

// A version's rules (schemas.ChecklistRules) in words, read-only.
function RulesView({ rules }) {
  const { coverage, conclusion = [] } = rules;
  const [keyWord, na] = [t('item_classes').key, t('results').na];
  const said = (then) => t('conclusions')[then] || then;
  return html`<ul class="ce-rules">
    ${coverage && html`<li>${t('ceCoverage')((coverage.visit_types || []).map((v) => t('visit_types')[v] || v).join('、'),
      coverage.key_items ?? 0, coverage.items ?? 0, keyWord, na)}</li>`}
    ${rules.na_needs_reason && html`<li>${t('ceNaReason')(na)}</li>`}
    ${conclusion.map(({ when, then }) => html`<li>${when
      ? t('ceWhen')(when.at_least ?? 1, when.class && (t('item_classes')[when.class] || when.class), t('results')[when.result] || when.result, said(then))
      : t('ceOtherwise')(said(then))}</li>`)}
  </ul>`;
}

// The refusal at its place in the form, scrolled into view: the form is long on a phone.
function At({ problem, path }) {
  const ref = useRef(null);
  const shown = problem?.at === path;
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView({ block: 'center' });
  }, [problem]);
  return shown ? html`<p class="problem" role="alert" ref=${ref} data-at=${path}>${explain(problem.error)}</p>` : null;
}

const move = (list, i, by) => {
  const out = [...list];
  [out[i], out[i + by]] = [out[i + by], out[i]];
  return out;
};

// Up, down and remove for an entry of a list.
function Moves({ list, i, onChange, remove }) {
  return html`<div class="ce-moves">
    <button type="button" class="small" disabled=${i === 0} onClick=${() => onChange(move(list, i, -1))}>${t('ceUp')}</button>
    <button type="button" class="small" disabled=${i === list.length - 1} onClick=${() => onChange(move(list, i, 1))}>${t('ceDown')}</button>
    <button type="button" class="small" onClick=${() => onChange(list.filter((_, j) => j !== i))}>${t(remove)}</button>
  </div>`;
}

// A select of `names` (code → words), also offering a value it does not know (from JSON).
function Choose({ value, names, onChange }) {
  return html`<select value=${value} onChange=${(e) => onChange(e.target.value)}>
    ${!(value in names) && html`<option value=${value}>${value}</option>`}
    ${Object.entries(names).map(([code, name]) => html`<option value=${code}>${name}</option>`)}
  </select>`;
}

function ItemForm({ item, path, n, problem, onChange, moves }) {
  const set = (changes) => onChange({ ...item, ...changes });
  const field = (name, input) => html`<label>${t(LABELS[name])}${input}</label><${At} problem=${problem} path=${`${path}.${name}`} />`;
  const text = (name) => field(name, html`<input value=${item[name] ?? ''} onInput=${(e) => set({ [name]: e.target.value })} />`);
  const number = (name) => field(name, html`<input type="number" step="any" value=${item[name] ?? ''}
    onInput=${(e) => set({ [name]: e.target.value === '' ? undefined : Number(e.target.value) })} />`);
  // Items fold to a line each (a version has dozens); a new one, or one refused, is open.
  const [open, setOpen] = useState(!item.key);
  const refused = problem?.at === path || !!problem?.at?.startsWith(`${path}.`);
  return html`<details class="ce-item" data-item=${item.key} open=${open || refused} onToggle=${(e) => setOpen(e.currentTarget.open)}>
    <summary><b>${t('ceItem')(n, item.key)}</b> ${item.text}</summary>
    <${At} problem=${problem} path=${path} />
    ${text('key')}
    ${field('text', html`<textarea rows="2" value=${item.text} onInput=${(e) => set({ text: e.target.value })}></textarea>`)}
    ${field('kind', html`<${Choose} value=${item.kind} names=${Object.fromEntries(KINDS.map((k) => [k, t('ceKinds')[k]]))}
      onChange=${(kind) => set({ kind })} />`)}
    ${item.kind === 'number' && html`${text('unit')}<div class="ce-pair">${number('min')}${number('max')}</div>`}
    ${item.kind === 'choice' && field('choices', html`<textarea rows="3" value=${(item.choices || []).join('\n')}
      onInput=${(e) => set({ choices: e.target.value.split('\n') })}></textarea>`)}
    ${field('class', html`<${Choose} value=${itemClass(item)} names=${t('item_classes')} onChange=${(c) => set({ class: c })} />`)}
    ${field('severity', html`<${Choose} value=${item.severity} names=${t('severities')} onChange=${(severity) => set({ severity })} />`)}
    ${text('legal_basis')}
    <label class="choice"><input type="checkbox" checked=${item.photo_required_on_fail}
      onChange=${(e) => set({ photo_required_on_fail: e.target.checked })} />${t('cePhoto')}</label>
    <${At} problem=${problem} path=${`${path}.photo_required_on_fail`} />
    ${moves}
  </details>`;
}

function SectionForm({ section, s, problem, onChange, moves }) {
  const path = `sections[${s}]`;
  const setItems = (items) => onChange({ ...section, items }, true);
  return html`<fieldset class="ce-section" data-section=${s}>
    <legend>${t('ceSection')(s + 1)}</legend>
    <${At} problem=${problem} path=${path} />
    <label>${t('ceSectionTitle')}<input value=${section.title} onInput=${(e) => onChange({ ...section, title: e.target.value })} /></label>
    <${At} problem=${problem} path=${`${path}.title`} />
    ${section.items.map((item, i) => html`<${ItemForm} key=${item[ID]} item=${item} path=${`${path}.items[${i}]`} n=${i + 1} problem=${problem}
      onChange=${(changed) => onChange({ ...section, items: section.items.map((old, j) => (j === i ? changed : old)) })}
      moves=${html`<${Moves} list=${section.items} i=${i} onChange=${setItems} remove="ceRemoveItem" />`} />`)}
    <${At} problem=${problem} path=${`${path}.items`} />
    <button type="button" class="small" onClick=${() => setItems([...section.items, newItem()])}>${t('ceAddItem')}</button>
    ${moves}
  </fieldset>`;
}

// The form for the next version of `checklist` (its latest version); `onPublished` gets the new one.
export function ChecklistEditor({ checklist, onPublished }) {
  const [form, setForm] = useState(() => formOf(checklist));
  const [state, setState] = useState({ busy: false, problem: null });
  const [json, setJson] = useState(null); // the JSON import's text while it is open
  const [jsonError, setJsonError] = useState(null);

  // A change of the lists moves the fields: a refusal no longer points at its place.
  const change = (sections, moved) => {
    setForm((old) => ({ ...old, sections }));
    if (moved) setState((old) => ({ ...old, problem: null }));
  };
  const setSections = (sections) => change(sections, true);
  const applyJson = () => {
    try {
      setForm(formOf(JSON.parse(json)));
    } catch (e) {
      return setJsonError(new Error(e instanceof SyntaxError ? t('ceBadJson')(...jsonPlace(e.message, json)) : e.message));
    }
    setJson(null);
    setJsonError(null);
    setState({ busy: false, problem: null });
  };
  const publish = async () => {
    setState({ busy: true, problem: null });
    try {
      onPublished(await api(`/api/checklists/${checklist.code}/versions`, { method: 'POST', body: versionOf(form) }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) signInAgain();
      const key = e.body?.extra?.[0]?.key;
      setState({ busy: false, problem: { error: e, at: placeOf(key, form.sections) } });
    }
  };
  const { problem } = state;
  const top = problem && new Error(explain(problem.error) + (problem.at ? placeName(problem.at) : ''));

  return html`<div class="form checklist-editor">
    <p class="muted">${t('ceHint')}</p>
    <div class="ce-json">
      <button type="button" class="small" aria-expanded=${json !== null}
        onClick=${() => { setJson(json === null ? JSON.stringify(versionOf(form), null, 2) : null); setJsonError(null); }}>${t('ceJson')}</button>
      ${json !== null && html`<p class="muted">${t('ceJsonHint')}</p>
        <textarea class="json mono" spellcheck="false" aria-label="JSON" value=${json} onInput=${(e) => setJson(e.target.value)}></textarea>
        <${Problem} error=${jsonError} />
        <button type="button" class="small" onClick=${applyJson}>${t('ceJsonApply')}</button>`}
    </div>
    <${Problem} error=${top} />
    ${form.sections.map((section, s) => html`<${SectionForm} key=${section[ID]} section=${section} s=${s} problem=${problem}
      onChange=${(changed, moved) => change(form.sections.map((old, j) => (j === s ? changed : old)), moved)}
      moves=${html`<${Moves} list=${form.sections} i=${s} onChange=${setSections} remove="ceRemoveSection" />`} />`)}
    <button type="button" class="small" onClick=${() => setSections([...form.sections, withId({ title: '', items: [newItem()] })])}>${t('ceAddSection')}</button>
    ${form.rules && html`<p class="muted">${t('ceRules')}</p><${RulesView} rules=${form.rules} />`}
    <button class="primary" disabled=${state.busy} onClick=${publish}>${state.busy ? t('publishing') : t('publish')}</button>
  </div>`;
}
