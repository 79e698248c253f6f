// Planning visits: a supervisor (anywhere in their jurisdiction) or an inspector (in their
// county) plans a visit to each enterprise chosen in the registry — a date, the checklist,
// a team of two or more of the jurisdiction's active officers — and the visits appear on
// the team members' 今日任务. Online only: each plan is sent once, by its own id.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { covers, fittingChecklist, newId, OFFICERS } from '../fieldwork.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { Link, signInAgain } from '../router.js';
import { Problem, today } from '../ui.js';

addStrings({
  visitPlanTitle: '计划检查',
  visitPlanNone: '还没有选择企业。请在企业名录中点按“选择企业计划检查”，选好一家或几家企业后再来。',
  visitPlanChoose: '去企业名录选择',
  visitPlanFor: (n) => `为 ${n} 家企业计划检查`,
  visitPlanDate: '检查日期',
  checklist: '检查表',
  visitType: '检查类型',
  visitPlanTeam: '检查组（至少两人）',
  visitPlanTeamHint: '只列出辖区涵盖所选全部企业的在岗检查人员和局领导。',
  visitPlanNoOfficers: '辖区内没有涵盖所选全部企业的在岗检查人员：请减少所选企业，或请管理员邀请检查人员。',
  visitPlanTeamShort: '检查组至少选择两人。',
  visitPlanSubmit: (n) => (n > 1 ? `计划这 ${n} 次检查` : '计划这次检查'),
  visitPlanSending: (done, n) => `正在计划… ${done}/${n}`,
  visitPlanRefused: (name, why) => `${name}：未能计划。${why}`,
  visitPlanDone: (n, date) => `已计划 ${n} 次检查（${date}），检查组成员的“今日任务”中可见。`,
  visitPlanToday: '返回今日任务',
  visitPlanRegistry: '返回企业名录',
}, {
  visitPlanTitle: 'Plan visits',
  visitPlanNone: 'No enterprise chosen yet. In the registry, tap "Choose enterprises to plan", choose one or more, then come back.',
  visitPlanChoose: 'Choose in the registry',
  visitPlanFor: (n) => `Visits to ${n} enterprises`,
  visitPlanDate: 'Date',
  checklist: 'Checklist',
  visitType: 'Visit type',
  visitPlanTeam: 'Team (two or more)',
  visitPlanTeamHint: 'Only active inspectors and supervisors whose jurisdiction covers every chosen enterprise are listed.',
  visitPlanNoOfficers: 'No active officer of your jurisdiction covers every chosen enterprise: choose fewer enterprises, or ask an admin to invite inspectors.',
  visitPlanTeamShort: 'Choose at least two people for the team.',
  visitPlanSubmit: (n) => (n > 1 ? `Plan these ${n} visits` : 'Plan this visit'),
  visitPlanSending: (done, n) => `Planning… ${done}/${n}`,
  visitPlanRefused: (name, why) => `${name}: not planned. ${why}`,
  visitPlanDone: (n, date) => `${n} visits planned (${date}); the team sees them on Today.`,
  visitPlanToday: 'Back to Today',
  visitPlanRegistry: 'Back to the registry',
});

// The choices of a visit not yet planned: its checklist version, its type, and its team
// (`value.team`: the ids chosen among `officers`; `label` names the team's group).
export function VisitChoices({ checklists, officers, value, label, hint, empty, onChange }) {
  const toggle = (id) => onChange({ team: value.team.includes(id) ? value.team.filter((m) => m !== id) : [...value.team, id] });
  return html`<label class="field">${t('checklist')}
      <select value=${value.checklist} onChange=${(e) => onChange({ checklist: e.target.value })}>
        ${checklists.map((c) => html`<option value=${c.id}>${c.title} v${c.version}</option>`)}
      </select></label>
    <label class="field">${t('visitType')}
      <select value=${value.type} onChange=${(e) => onChange({ type: e.target.value })}>
        ${Object.entries(t('visit_types')).map(([type, words]) => html`<option value=${type}>${words}</option>`)}
      </select></label>
    <h2>${label}</h2>
    <p class="muted small">${hint}</p>
    ${officers.length === 0 ? html`<p class="problem">${empty}</p>` : html`<div class="choices" role="group" aria-label=${label}>
      ${officers.map((o) => html`<button key=${o.id} class=${value.team.includes(o.id) ? 'answer on' : 'answer'}
        aria-pressed=${value.team.includes(o.id)} onClick=${() => toggle(o.id)}>${o.display_name}</button>`)}
    </div>`}`;
}

const chosenEnterprises = () => (new URLSearchParams(location.search).get('enterprises') || '').split(',').filter(Boolean);

export function PlanVisit({ me }) {
  const [ids] = useState(chosenEnterprises);
  const [ctx, setCtx] = useState(null);
  const [error, setError] = useState(null);
  const [form, setForm] = useState({ date: today(), checklist: null, type: 'routine', team: me.role === 'inspector' ? [me.id] : [] });
  const [sending, setSending] = useState(null); // { done: enterprise ids planned, busy, error, failed: its enterprise }
  // The id of each visit, by what it plans: sent again unchanged (a retry), the same visit.
  const planIds = useRef({});

  useEffect(() => {
    if (!ids.length) return;
    Promise.all([Promise.all(ids.map((id) => api(`/api/enterprises/${id}`))), api('/api/checklists'), api(OFFICERS)])
      .then(([enterprises, checklists, officers]) => {
        setForm((old) => ({ ...old, checklist: fittingChecklist(checklists, enterprises[0])?.id }));
        setCtx({ enterprises, checklists, officers: officers.filter((o) => enterprises.every((e) => covers(o, e))) });
      })
      .catch((e) => (e instanceof ApiError && e.status === 401 ? signInAgain() : setError(e)));
  }, []);

  if (!ids.length) {
    return html`<main><h1>${t('visitPlanTitle')}</h1><p class="empty">${t('visitPlanNone')}</p>
      <${Link} href="/enterprises?select=1" class="card">${t('visitPlanChoose')} →<//></main>`;
  }
  if (error) return html`<main><h1>${t('visitPlanTitle')}</h1><${Problem} error=${error} /></main>`;
  if (!ctx) return html`<main><p class="muted">${t('loading')}</p></main>`;

  const { enterprises, checklists, officers } = ctx;
  const done = sending?.done || [];
  const set = (change) => setForm({ ...form, ...change });
  const plan = async () => {
    const planned = [...done];
    for (const enterprise of enterprises.filter((e) => !planned.includes(e.id))) {
      const body = { enterprise_id: enterprise.id, checklist_id: form.checklist, visit_type: form.type,
                     planned_date: form.date, team: form.team };
      const key = JSON.stringify(body);
      planIds.current[key] ||= newId();
      setSending({ done: planned, busy: true });
      try {
        await api('/api/visits', { method: 'POST', body: { id: planIds.current[key], ...body } });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return signInAgain();
        return setSending({ done: planned, busy: false, error: e, failed: enterprise });
      }
      planned.push(enterprise.id);
    }
    setSending({ done: planned, busy: false });
  };

  if (done.length === enterprises.length) {
    return html`<main><h1>${t('visitPlanTitle')}</h1>
      <p class="lead" role="status">✓ ${t('visitPlanDone')(enterprises.length, formatDate(form.date))}</p>
      <ul class="plain">${enterprises.map((e) => html`<li key=${e.id}>${e.name}</li>`)}</ul>
      <${Link} href=${me.role === 'inspector' ? '/today' : '/enterprises'} class="card">
        ${t(me.role === 'inspector' ? 'visitPlanToday' : 'visitPlanRegistry')} →<//></main>`;
  }
  const ready = form.team.length >= 2 && form.checklist && form.date;
  return html`<main class="visit-plan">
    <h1>${t('visitPlanTitle')}</h1>
    <p class="muted">${t('visitPlanFor')(enterprises.length)}</p>
    <ul class="cards">${enterprises.map((e) => html`<li key=${e.id} class="card">
      <strong>${done.includes(e.id) ? '✓ ' : ''}${e.name}</strong>
      <span class="muted">${e.county_name} · ${t('riskGrade')} ${e.risk_grade}</span></li>`)}</ul>
    <fieldset disabled=${sending?.busy || done.length > 0} class="visit-plan-form">
      <label class="field">${t('visitPlanDate')}
        <input type="date" min=${today()} value=${form.date} onInput=${(e) => set({ date: e.target.value })} /></label>
      <${VisitChoices} checklists=${checklists} officers=${officers} value=${form} label=${t('visitPlanTeam')}
        hint=${t('visitPlanTeamHint')} empty=${t('visitPlanNoOfficers')} onChange=${set} />
      ${form.team.length < 2 && html`<p class="muted small">${t('visitPlanTeamShort')}</p>`}
    </fieldset>
    ${sending?.error && html`<p class="problem" role="alert">${t('visitPlanRefused')(sending.failed.name, sending.error.message)}</p>`}
    ${sending?.busy && html`<p class="muted" role="status">${t('visitPlanSending')(done.length, enterprises.length)}</p>`}
    <button class="primary" disabled=${!ready || sending?.busy} onClick=${plan}>
      ${t('visitPlanSubmit')(enterprises.length - done.length)}</button>
  </main>`;
}
