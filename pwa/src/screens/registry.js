// The registry of enterprises in the caller's jurisdiction and an enterprise's profile.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api } from '../api.js';
import { Export } from '../files.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { Link, useApi, usePages } from '../router.js';
import { Problem, today } from '../ui.js';

addStrings({
  regionFilter: '仅显示此地区，点按取消', dueBetween: '下次检查到期',
  pickToPlan: '选择企业计划检查', picked: (n) => `已选 ${n} 家`, planPicked: '计划检查', stopPicking: '取消选择',
  planThis: '计划检查', visitNow: '现场检查（与同行同事）',
}, {
  regionFilter: 'Only this region; tap to remove', dueBetween: 'Next visit due',
  pickToPlan: 'Choose enterprises to plan', picked: (n) => `${n} chosen`, planPicked: 'Plan visits', stopPicking: 'Cancel',
  planThis: 'Plan a visit', visitNow: 'Visit now (with the colleague who is with you)',
});

// Who plans visits (POST /api/visits): a supervisor, an inspector in their county.
const PLANNERS = ['inspector', 'supervisor'];

const LICENCE_LABEL = { missing: 'licenceMissing', expiring: 'licenceExpiring', valid: 'licenceValid' };

// The filters come from the address too (?due=overdue&region=…, or the dashboard's period:
// ?due_from=…&due_to=…), so that the dashboard's figures link to the lists behind them;
// the address follows the chips.
function filtersFromAddress() {
  const query = new URLSearchParams(location.search);
  const filter = ['due', 'licence'].filter((key) => query.get(key)).map((key) => `${key}=${query.get(key)}`)[0] || '';
  const period = query.get('due_from') && query.get('due_to') ? { due_from: query.get('due_from'), due_to: query.get('due_to') } : null;
  return { filter, period, region: query.get('region') || '' };
}

// An enterprise's line in the list.
const summary = (e) => html`<strong>${e.name}</strong>
  <span class="muted">${e.county_name} · ${t('categories')[e.category]} · ${t('riskGrade')} ${e.risk_grade}</span>
  <span class="badges">
    <span class=${`badge ${e.licence_state}`}>${t(LICENCE_LABEL[e.licence_state])}</span>
    ${e.next_due_on && html`<span class=${e.next_due_on < today() ? 'badge missing' : 'badge'}>
      ${t('nextDue')} ${formatDate(e.next_due_on)}</span>`}
  </span>`;

export function Registry({ me }) {
  const [q, setQ] = useState(''); // as typed
  const [search, setSearch] = useState(''); // as searched: 250 ms after the typing stops
  const [filter, setFilter] = useState(() => filtersFromAddress().filter);
  const [region, setRegion] = useState(() => filtersFromAddress().region);
  const [period, setPeriod] = useState(() => filtersFromAddress().period);
  const [regionName, setRegionName] = useState('');
  // Choosing enterprises to plan visits to (?select=1, the address planning links to).
  const [picking, setPicking] = useState(() => new URLSearchParams(location.search).get('select') === '1');
  const [picked, setPicked] = useState([]);
  const pick = (id) => setPicked(picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id]);

  useEffect(() => {
    const timer = setTimeout(() => setSearch(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q]);
  const address = new URLSearchParams(filter ? [filter.split('=')] : []);
  if (region) address.set('region', region);
  for (const [key, value] of Object.entries(period || {})) address.set(key, value);
  const shown = new URLSearchParams(address);
  if (picking) shown.set('select', '1');
  useEffect(() => {
    history.replaceState(null, '', `/enterprises${shown.toString() ? `?${shown}` : ''}`);
  }, [shown.toString()]);
  const query = new URLSearchParams({ ...Object.fromEntries(address), limit: '30', ...(search ? { q: search } : {}) });
  const list = usePages(`/api/enterprises?${query}`);
  const pages = list.items;
  useEffect(() => {
    if (region) api(`/api/regions/${region}`).then((r) => setRegionName(r.name)).catch(() => setRegionName(region));
  }, [region]);

  const filters = [['', 'all'], ['due=overdue', 'overdue'], ['due=due', 'dueSoon'],
    ['licence=missing', 'licenceMissing'], ['licence=expiring', 'licenceExpiring']];
  return html`<main>
    <h1>${t('registry')}</h1>
    <input type="search" class="search" placeholder=${t('search')} value=${q} onInput=${(e) => setQ(e.target.value)} />
    <div class="chips" role="group">
      ${region && html`<button class="chip on" aria-label=${`${t('regionFilter')} ${regionName}`}
        onClick=${() => setRegion('')}>${regionName || region} ×</button>`}
      ${period && html`<button class="chip on" onClick=${() => setPeriod(null)}>
        ${t('dueBetween')} ${formatDate(period.due_from)} – ${formatDate(period.due_to)} ×</button>`}
      ${filters.map(([value, key]) => html`
        <button class=${filter === value ? 'chip on' : 'chip'} aria-pressed=${filter === value}
          onClick=${() => setFilter(value)}>${t(key)}</button>`)}
    </div>
    <${Export} path="/api/exports/enterprises" query=${query} unbounded=${Boolean(list.cursor)} />
    ${PLANNERS.includes(me.role) && !picking && html`<button class="secondary" onClick=${() => setPicking(true)}>${t('pickToPlan')}</button>`}
    <${Problem} error=${list.error} />
    <ul class="cards">
      ${pages.map((e) => html`<li key=${e.id}>
        ${picking ? html`<button class=${picked.includes(e.id) ? 'card pick on' : 'card pick'} aria-pressed=${picked.includes(e.id)}
            onClick=${() => pick(e.id)}>${summary(e)}</button>`
          : html`<${Link} href=${`/enterprises/${e.id}`} class="card">${summary(e)}<//>`}
      </li>`)}
    </ul>
    ${!list.loading && !list.error && pages.length === 0 && html`<p class="empty">${t('noEnterprises')}</p>`}
    ${list.loading && html`<p class="muted">${t('loading')}</p>`}
    ${list.cursor && !list.loading && html`<button class="secondary" onClick=${list.more}>${t('loadMore')}</button>`}
    ${picking && html`<div class="pick-bar" role="group" aria-label=${t('pickToPlan')}>
      <span>${t('picked')(picked.length)}</span>
      <button class="link" onClick=${() => { setPicking(false); setPicked([]); }}>${t('stopPicking')}</button>
      ${picked.length > 0 && html`<${Link} href=${`/visits/plan?enterprises=${picked.join(',')}`} class="pick-go">${t('planPicked')} →<//>`}
    </div>`}
  </main>`;
}

export function Enterprise({ params: [id], me }) {
  const { data: e, error } = useApi(`/api/enterprises/${id}`);
  return html`<main>
    <button class="link" onClick=${() => history.back()}>← ${t('back')}</button>
    <${Problem} error=${error} />
    ${e && html`
      <h1>${e.name}</h1>
      <${Link} href=${`/enterprises/${e.id}/dossier`} class="card dossier-link">${t('openFullDossier')} →<//>
      ${PLANNERS.includes(me.role) && html`<p class="pick-actions">
        <${Link} href=${`/visits/plan?enterprises=${e.id}`}>${t('planThis')}<//>
        ${me.role === 'inspector' && html`<${Link} href=${`/visits/new/${e.id}`}>${t('visitNow')}<//>`}</p>`}
      <dl>
        <dt>${t('uscc')}</dt><dd class="mono">${e.uscc}</dd>
        <dt>${t('address')}</dt><dd>${e.address}</dd>
        <dt>${t('county')}</dt><dd>${e.county_name}</dd>
        <dt>${t('riskGrade')}</dt><dd>${e.risk_grade} · ${t('categories')[e.category]}</dd>
      </dl>
      <h2>${t('licences')}</h2>
      ${e.licences.length === 0 ? html`<p class="empty">${t('none')}</p>` : html`<ul class="plain">
        ${e.licences.map((l) => html`<li key=${l.id}><span class="mono">${l.number}</span> ${l.scope}
          <span class="muted">${t('validUntil')} ${formatDate(l.valid_to)}</span></li>`)}
      </ul>`}
      <h2>${t('controlPoints')}</h2>
      ${e.control_points.length === 0 ? html`<p class="empty">${t('none')}</p>` : html`<ol class="plain">
        ${e.control_points.map((p) => html`<li key=${p.id}>${p.name} <span class="muted">${p.location}</span></li>`)}
      </ol>`}
      <h2>${t('contacts')}</h2>
      <ul class="plain">
        ${e.contacts.map((c) => html`<li>${c.name} <span class="muted">${c.role}</span> <a href=${`tel:${c.phone}`}>${c.phone}</a></li>`)}
      </ul>`}
  </main>`;
}

