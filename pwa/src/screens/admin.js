// Administration, plain but usable: invitations, users, regions, new checklist versions
// and the working-day calendar's adjustments. Supervisors use the first two (staff of
// their jurisdiction).
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { addStrings, formatDate, lang, t } from '../i18n.js';
import { Link, signInAgain, useApi, usePages } from '../router.js';
import { Problem, today } from '../ui.js';
import { ChecklistEditor } from './checklistEditor.js';

addStrings({
  admin: '系统管理',
  people: '人员管理',
  invitations: '邀请',
  users: '用户',
  regionsTab: '行政区划',
  checklists: '检查表',
  newInvitation: '发出邀请',
  role: '角色',
  name: '姓名',
  jurisdiction: '管辖地区',
  chooseJurisdiction: '请选择管辖地区（必选）',
  enterprise: '企业',
  findEnterprise: '输入企业名称查找',
  invite: '生成邀请链接',
  inviting: '正在生成…',
  inviteLink: '邀请链接（只显示这一次，72 小时内有效，只能使用一次）',
  copy: '复制链接',
  copied: '已复制',
  pending: '未使用的邀请',
  noInvitations: '没有未使用的邀请。',
  expires: '到期',
  revoke: '撤回',
  active: '在用',
  inactive: '已停用',
  deactivate: '停用',
  confirmDeactivate: (name) => `停用 ${name}？停用后该账号立即无法登录（可再启用）。`,
  activate: '启用',
  noUsers: '暂无用户。',
  noUsersFound: '没有姓名包含这些字的用户。',
  findUser: '按姓名查找用户',
  filterRegions: '按名称或代码筛选',
  templateVersion: (v) => `第 ${v} 版`,
  published: (v) => `已发布第 ${v} 版`,
  certificateNo: '执法证号',
  certificateHint: '4–30 位字母、数字或“-”，印在执法证上；可稍后由管理员补录',
  certificateMissing: '未登记执法证号',
  setCertificate: '设置执法证号',
  save: '保存',
  workdaysTab: '工作日调整',
  wdAbout: '结果公示的期限按中国的工作日计算：周末和法定节假日不算，调休上班的周末算。节假日安排取自 chinese-calendar 日历库，它收录国务院已公布安排的年份，每年随新安排更新。某年的安排已经公布而日历库还没有收录时（或有临时调整时），在这里逐日录入：放假的日子录为“休息日”，调休上班的周末录为“工作日”。这里录入的日子优先于日历库；一年录入了任何一天，就视为该年已录入。',
  wdYear: '年份',
  wdDay: '日期',
  wdKind: '这一天是',
  wdWorking: '工作日（调休上班）',
  wdRest: '休息日（放假）',
  wdWorkingShort: '工作日',
  wdRestShort: '休息日',
  wdNote: '说明',
  wdNoteHint: '例如：元旦、春节调休',
  wdSave: '保存这一天',
  wdSaving: '正在保存…',
  wdSaved: (day) => `已保存 ${day}`,
  wdRemove: '删除',
  wdRemoved: (day) => `已删除 ${day}，这一天按日历库计算`,
  wdList: (year) => `${year} 年录入的日子`,
  wdNone: (year) => `${year} 年没有录入的日子：按日历库计算（日历库未收录的年份只扣除周末）。`,
  weekdays: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
}, {
  admin: 'Admin',
  people: 'People',
  invitations: 'Invitations',
  users: 'Users',
  regionsTab: 'Regions',
  checklists: 'Checklists',
  newInvitation: 'Invite someone',
  role: 'Role',
  name: 'Name',
  jurisdiction: 'Jurisdiction',
  chooseJurisdiction: 'Choose the jurisdiction (required)',
  enterprise: 'Enterprise',
  findEnterprise: 'Type an enterprise name',
  invite: 'Create invitation link',
  inviting: 'Creating…',
  inviteLink: 'Invitation link (shown only now; valid 72 hours, works once)',
  copy: 'Copy link',
  copied: 'Copied',
  pending: 'Unused invitations',
  noInvitations: 'No unused invitations.',
  expires: 'Expires',
  revoke: 'Withdraw',
  active: 'Active',
  inactive: 'Deactivated',
  deactivate: 'Deactivate',
  confirmDeactivate: (name) => `Deactivate ${name}? They can no longer sign in (you can reactivate them).`,
  activate: 'Activate',
  noUsers: 'No users yet.',
  noUsersFound: 'No user has these characters in their name.',
  findUser: 'Find a user by name',
  filterRegions: 'Filter by name or code',
  templateVersion: (v) => `version ${v}`,
  published: (v) => `Published version ${v}`,
  certificateNo: 'Enforcement certificate no.',
  certificateHint: "4–30 letters, digits or '-', as printed on the card; an admin can add it later",
  certificateMissing: 'No certificate number on record',
  setCertificate: 'Set certificate no.',
  save: 'Save',
  workdaysTab: 'Working days',
  wdAbout: "Publication deadlines count Chinese working days: weekends and public holidays do not count, weekend days worked in exchange (调休) do. The holidays come from the chinese-calendar library, which knows each year the State Council has announced and is updated after each announcement. When a year is announced but the library does not know it yet (or a day changes late), enter it here day by day: holidays as rest days, weekend days worked as working days. Days entered here win over the library; a year with any day entered counts as entered.",
  wdYear: 'Year',
  wdDay: 'Day',
  wdKind: 'This day is',
  wdWorking: 'A working day (weekend worked)',
  wdRest: 'A rest day (holiday)',
  wdWorkingShort: 'Working day',
  wdRestShort: 'Rest day',
  wdNote: 'Note',
  wdNoteHint: 'e.g. New Year, Spring Festival exchange',
  wdSave: 'Save this day',
  wdSaving: 'Saving…',
  wdSaved: (day) => `Saved ${day}`,
  wdRemove: 'Delete',
  wdRemoved: (day) => `Deleted ${day}: the library's calendar holds again`,
  wdList: (year) => `Days entered for ${year}`,
  wdNone: (year) => `No days entered for ${year}: the library's calendar holds (weekends only for a year it does not know).`,
  weekdays: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
});

// Who may invite whom: the server's rule (accounts.service.MAY_INVITE), to offer only those.
const MAY_INVITE = {
  admin: ['inspector', 'reviewer', 'supervisor', 'enterprise', 'admin'],
  supervisor: ['inspector', 'reviewer', 'supervisor'],
};

// Whom each role may activate and deactivate (accounts.service.MAY_MANAGE): a supervisor
// only those below their rank. Nobody changes their own account.
const MAY_MANAGE = {
  admin: ['inspector', 'reviewer', 'supervisor', 'enterprise', 'admin'],
  supervisor: ['inspector', 'reviewer', 'enterprise'],
};

export function Admin({ params: [section = 'invitations'], me }) {
  const sections = me.role === 'admin'
    ? [['invitations', 'invitations'], ['users', 'users'], ['regions', 'regionsTab'], ['checklists', 'checklists'],
      ['workdays', 'workdaysTab']]
    : [['invitations', 'invitations'], ['users', 'users']];
  const Section = { invitations: Invitations, users: Users, regions: Regions, checklists: Checklists, workdays: Workdays }[section];
  return html`<main class="admin">
    <h1>${t(me.role === 'admin' ? 'admin' : 'people')}</h1>
    <nav class="chips" aria-label=${t('admin')}>
      ${sections.map(([key, label]) => html`<${Link} href=${key === 'invitations' ? '/admin' : `/admin/${key}`}
        class=${key === section ? 'chip on' : 'chip'} aria-current=${key === section ? 'page' : undefined}>${t(label)}<//>`)}
    </nav>
    ${sections.some(([key]) => key === section) ? html`<${Section} me=${me} />` : html`<p>${t('notFound')}</p>`}
  </main>`;
}

// Region names by code, for the jurisdiction pickers and lists.
function useRegions(me) {
  const home = useApi(`/api/regions/${me.region_code}`);
  const below = useApi(`/api/regions?under=${me.region_code}`);
  const all = [...(home.data ? [home.data] : []), ...(below.data || [])];
  return { all, names: Object.fromEntries(all.map((r) => [r.code, lang === 'en' && r.name_en ? r.name_en : r.name])) };
}

const LEVELS = ['province', 'city', 'county'];
const CERTIFICATE = '[0-9A-Za-z\\-]{4,30}'; // accounts.schemas.CertificateNo

function problemOf(error) {
  if (error instanceof ApiError && error.status === 401) signInAgain();
  return error;
}

function Invitations({ me }) {
  const regions = useRegions(me);
  const list = useApi('/api/invitations');
  // No jurisdiction is chosen for the admin: a careless invitation must not give an inspector the whole province.
  const [form, setForm] = useState({ role: 'inspector', display_name: '', region_code: '', enterprise_id: '', certificate_no: '' });
  const [firms, setFirms] = useState([]);
  const [search, setSearch] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (form.role !== 'enterprise' || !search.trim()) return setFirms([]);
    const timer = setTimeout(() => api(`/api/enterprises?${new URLSearchParams({ q: search.trim(), limit: '8' })}`)
      .then((page) => setFirms(page.items)).catch((e) => setError(problemOf(e))), 250);
    return () => clearTimeout(timer);
  }, [search, form.role]);

  const set = (changes) => setForm((old) => ({ ...old, ...changes }));
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCopied(false);
    const body = { role: form.role, display_name: form.display_name.trim() };
    if (form.role === 'enterprise') body.enterprise_id = form.enterprise_id || null;
    else body.region_code = form.region_code;
    if (form.role !== 'enterprise' && form.certificate_no.trim()) body.certificate_no = form.certificate_no.trim();
    try {
      setCreated(await api('/api/invitations', { method: 'POST', body }));
      set({ display_name: '', certificate_no: '' });
      list.reload();
    } catch (e) {
      setError(problemOf(e));
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    await navigator.clipboard.writeText(created.link).then(() => setCopied(true), () => setCopied(false));
  };
  const revoke = async (id) => {
    try {
      await api(`/api/invitations/${id}`, { method: 'DELETE' });
      list.reload();
    } catch (e) {
      setError(problemOf(e));
    }
  };

  return html`
    <h2>${t('newInvitation')}</h2>
    <form class="form" onSubmit=${submit}>
      <label>${t('role')}
        <select value=${form.role} onChange=${(e) => set({ role: e.target.value })}>
          ${MAY_INVITE[me.role].map((role) => html`<option value=${role}>${t('roles')[role]}</option>`)}
        </select>
      </label>
      <label>${t('name')}
        <input required maxlength="100" value=${form.display_name} onInput=${(e) => set({ display_name: e.target.value })} />
      </label>
      ${form.role === 'enterprise' ? html`
        <label>${t('enterprise')}
          <input type="search" placeholder=${t('findEnterprise')} value=${search} onInput=${(e) => setSearch(e.target.value)} />
        </label>
        <div class="choices" role="radiogroup" aria-label=${t('enterprise')}>
          ${firms.map((f) => html`<label key=${f.id} class="choice">
            <input type="radio" name="enterprise" checked=${form.enterprise_id === f.id} onChange=${() => set({ enterprise_id: f.id })} />
            ${f.name}</label>`)}
        </div>` : html`
        <label>${t('jurisdiction')}
          <select required value=${form.region_code} onChange=${(e) => set({ region_code: e.target.value })}>
            <option value="" disabled>${t('chooseJurisdiction')}</option>
            ${regions.all.map((r) => html`<option value=${r.code}>${'\u3000'.repeat(LEVELS.indexOf(r.level) - LEVELS.indexOf(regions.all[0].level))}${regions.names[r.code]}</option>`)}
          </select>
        </label>
        <label>${t('certificateNo')}
          <input value=${form.certificate_no} pattern=${CERTIFICATE} maxlength="30" autocomplete="off"
            onInput=${(e) => set({ certificate_no: e.target.value })} />
          <span class="small">${t('certificateHint')}</span>
        </label>`}
      <${Problem} error=${error} />
      <button class="primary" disabled=${busy}>${busy ? t('inviting') : t('invite')}</button>
    </form>
    ${created && html`<div class="created" role="status">
      <p>${t('inviteLink')} — ${created.display_name} · ${t('roles')[created.role]}</p>
      <input class="mono link-out" readonly value=${created.link} aria-label=${t('inviteLink')} onFocus=${(e) => e.target.select()} />
      <button class="secondary" onClick=${copy}>${copied ? t('copied') : t('copy')}</button>
    </div>`}
    <h2>${t('pending')}</h2>
    <${Problem} error=${list.error} />
    ${list.data && list.data.length === 0 && html`<p class="empty">${t('noInvitations')}</p>`}
    <ul class="cards">${(list.data || []).map((i) => html`<li key=${i.id} class="card row">
      <span><strong>${i.display_name}</strong> <span class="muted">${t('roles')[i.role]} · ${regions.names[i.region_code] || i.region_code || ''}</span><br />
        <span class="muted">${t('expires')} ${formatDate(i.expires_at)}</span></span>
      <button class="small" onClick=${() => revoke(i.id)}>${t('revoke')}</button>
    </li>`)}</ul>`;
}

function Users({ me }) {
  const regions = useRegions(me);
  const [q, setQ] = useState(''); // as typed
  const [search, setSearch] = useState(''); // as searched: 250 ms after the typing stops
  useEffect(() => {
    const timer = setTimeout(() => setSearch(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q]);
  const list = usePages(`/api/users?${new URLSearchParams({ limit: '50', ...(search ? { q: search } : {}) })}`);
  const [changed, setChanged] = useState({}); // users (de)activated here, by id, newer than their page
  const [error, setError] = useState(null);
  const patch = async (user, body) => {
    setError(null);
    try {
      const now = await api(`/api/users/${user.id}`, { method: 'PATCH', body });
      setChanged((old) => ({ ...old, [now.id]: now }));
      return true;
    } catch (e) {
      setError(problemOf(e));
      return false;
    }
  };
  const users = list.items.map((u) => changed[u.id] || u);
  return html`
    <input type="search" class="search" placeholder=${t('findUser')} aria-label=${t('findUser')} value=${q}
      onInput=${(e) => setQ(e.target.value)} />
    <${Problem} error=${list.error || error} />
    ${list.loading && html`<p class="muted">${t('loading')}</p>`}
    ${!list.loading && !list.error && users.length === 0 && html`<p class="empty">${t(search ? 'noUsersFound' : 'noUsers')}</p>`}
    <ul class="cards">${users.map((u) => html`<li key=${u.id} class="card row" data-user=${u.display_name}>
      <span><strong>${u.display_name}</strong> <span class="muted">${t('roles')[u.role]}</span><br />
        <span class="muted">${regions.names[u.region_code] || u.region_code || ''}</span>
        <span class=${u.active ? 'badge valid' : 'badge missing'}>${u.active ? t('active') : t('inactive')}</span>
        ${u.role !== 'enterprise' && html`<br /><span class="muted certificate">${u.certificate_no
          ? html`${t('certificateNo')} <span class="mono">${u.certificate_no}</span>` : t('certificateMissing')}</span>`}
        ${me.role === 'admin' && u.role !== 'enterprise' && html`<${Certificate} user=${u} onSave=${(no) => patch(u, { certificate_no: no })} />`}</span>
      ${u.id !== me.id && MAY_MANAGE[me.role].includes(u.role)
        && html`<button class="small" onClick=${() => (!u.active || confirm(t('confirmDeactivate')(u.display_name)))
          && patch(u, { active: !u.active })}>${u.active ? t('deactivate') : t('activate')}</button>`}
    </li>`)}</ul>
    ${list.cursor && !list.loading && html`<button class="secondary" onClick=${list.more}>${t('loadMore')}</button>`}`;
}

// An admin records a staff member's enforcement certificate number (执法证号).
function Certificate({ user, onSave }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(user.certificate_no);
  if (!editing) return html`<button class="link" onClick=${() => setEditing(true)}>${t('setCertificate')}</button>`;
  const submit = async (event) => {
    event.preventDefault();
    if (await onSave(value.trim())) setEditing(false);
  };
  return html`<form class="certificate-form" onSubmit=${submit}>
    <input required value=${value} pattern=${CERTIFICATE} maxlength="30" autocomplete="off"
      aria-label=${`${user.display_name} ${t('certificateNo')}`} onInput=${(e) => setValue(e.target.value)} />
    <button class="small">${t('save')}</button>
  </form>`;
}

function Regions({ me }) {
  const { all, names } = useRegions(me);
  const [filter, setFilter] = useState('');
  const shown = all.filter((r) => !filter || r.code.includes(filter) || names[r.code].includes(filter) || r.name_en.toLowerCase().includes(filter.toLowerCase()));
  return html`
    <input type="search" class="search" placeholder=${t('filterRegions')} value=${filter} onInput=${(e) => setFilter(e.target.value)} />
    <ul class="plain regions">${shown.slice(0, 300).map((r) => html`<li key=${r.code} style=${`margin-left:${(LEVELS.indexOf(r.level) - LEVELS.indexOf(all[0].level)) * 1.2}em`}>
      <span class="mono">${r.code}</span> ${names[r.code]}</li>`)}</ul>`;
}

function Checklists() {
  const checklists = useApi('/api/checklists');
  const { data, error } = checklists;
  const [code, setCode] = useState('');
  const [published, setPublished] = useState(null);
  const latest = {};
  for (const c of data || []) if (!latest[c.code] || latest[c.code].version < c.version) latest[c.code] = c;
  const templates = Object.values(latest);
  const current = latest[code] || templates[0];
  if (error) return html`<${Problem} error=${error} />`;
  if (!current) return html`<p class="muted">${t('loading')}</p>`;
  return html`
    <label>${t('checklists')}
      <select value=${current.code} onChange=${(e) => { setCode(e.target.value); setPublished(null); }}>
        ${templates.map((c) => html`<option value=${c.code}>${lang === 'en' ? c.title_en : c.title}（${t('templateVersion')(c.version)}）</option>`)}
      </select>
    </label>
    <${ChecklistEditor} key=${current.id} checklist=${current} onPublished=${(version) => { setPublished(version); checklists.reload(); }} />
    ${published?.code === current.code && html`<p class="ok" role="status">${t('published')(published.version)} · <span class="mono">${published.content_hash.slice(0, 12)}</span></p>`}`;
}

// The working-day calendar's adjustments (工作日调整): the days of a year that the calendar
// library does not know yet, entered from the State Council's notice.
function Workdays() {
  const thisYear = Number(today().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const list = useApi(`/api/workday-adjustments?year=${year}`);
  const [form, setForm] = useState({ day: '', working: false, note: '' });
  const [state, setState] = useState({ busy: false, error: null, done: null });
  const set = (changes) => setForm((old) => ({ ...old, ...changes }));
  const act = async (run, done) => {
    setState({ busy: true, error: null, done: null });
    try {
      await run();
      setState({ busy: false, error: null, done });
      list.reload();
      return true;
    } catch (e) {
      setState({ busy: false, error: problemOf(e), done: null });
      return false;
    }
  };
  const save = async (event) => {
    event.preventDefault();
    const body = { working: form.working, note: form.note.trim() };
    if (await act(() => api(`/api/workday-adjustments/${form.day}`, { method: 'PUT', body }), t('wdSaved')(formatDate(form.day)))) {
      setYear(Number(form.day.slice(0, 4)));
    }
  };
  const remove = (day) => act(() => api(`/api/workday-adjustments/${day}`, { method: 'DELETE' }), t('wdRemoved')(formatDate(day)));
  const weekday = (day) => t('weekdays')[new Date(`${day}T00:00:00Z`).getUTCDay()];
  return html`
    <p class="muted">${t('wdAbout')}</p>
    <form class="form" onSubmit=${save}>
      <label>${t('wdDay')}
        <input type="date" required value=${form.day} onInput=${(e) => set({ day: e.target.value })} />
      </label>
      <label>${t('wdKind')}
        <select value=${form.working ? 'working' : 'rest'} onChange=${(e) => set({ working: e.target.value === 'working' })}>
          <option value="rest">${t('wdRest')}</option>
          <option value="working">${t('wdWorking')}</option>
        </select>
      </label>
      <label>${t('wdNote')}
        <input maxlength="200" placeholder=${t('wdNoteHint')} value=${form.note} onInput=${(e) => set({ note: e.target.value })} />
      </label>
      <${Problem} error=${state.error} />
      <button class="primary" disabled=${state.busy}>${state.busy ? t('wdSaving') : t('wdSave')}</button>
    </form>
    ${state.done && html`<p class="ok" role="status">${state.done}</p>`}
    <label>${t('wdYear')}
      <select value=${year} onChange=${(e) => setYear(Number(e.target.value))}>
        ${[...new Set([thisYear - 1, thisYear, thisYear + 1, thisYear + 2, year])].sort().map((y) => html`<option value=${y}>${y}</option>`)}
      </select>
    </label>
    <h2>${t('wdList')(year)}</h2>
    <${Problem} error=${list.error} />
    ${list.data && list.data.length === 0 && html`<p class="empty">${t('wdNone')(year)}</p>`}
    <ul class="cards">${(list.data || []).map((d) => html`<li key=${d.day} class="card row" data-day=${d.day}>
      <span><strong>${formatDate(d.day)}</strong> <span class="muted">${weekday(d.day)}</span><br />
        <span class=${d.working ? 'badge valid' : 'badge expiring'}>${d.working ? t('wdWorkingShort') : t('wdRestShort')}</span>
        ${d.note && html` <span class="muted">${d.note}</span>`}</span>
      <button class="small" disabled=${state.busy} onClick=${() => remove(d.day)}>${t('wdRemove')}</button>
    </li>`)}</ul>`;
}
