// The enterprise's earlier open findings on the visit screen. On a follow-up (回访/复查) the
// team verifies each one: rectified (closed), or carried on with the reason and a new
// deadline, with a photo if they like; the verdicts travel with the visit's submission.
// On any other visit they are listed for reference.
import { html } from 'htm/preact';

import { PhotoButton } from '../camera.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { today } from '../ui.js';
import { Thumb } from './visit.js';

addStrings(
  {
    verifyLead: '回访时请逐项核实：已整改的关闭，未整改的说明原因并给出新的整改期限。',
    verdicts: { closed: '已整改', carried_on: '未整改' },
    carriedReason: '未整改的原因',
    newDeadline: '新的整改期限',
    closingNote: '核实情况（可选）',
    verifyPhoto: '现场照片',
  },
  {
    verifyLead: 'Verify each one on this follow-up: close what is rectified; for the rest, say why and set a new deadline.',
    verdicts: { closed: 'Rectified', carried_on: 'Not yet' },
    carriedReason: 'Why it is not rectified',
    newDeadline: 'New deadline',
    closingNote: 'What you saw (optional)',
    verifyPhoto: 'Photo',
  },
);

function Verdict({ finding, verdict = {}, shot, onChange, onPhoto, onRemovePhoto }) {
  const label = `${finding.item_key} ${t('verdicts').closed}`;
  return html`<div class="verdict" role="group" aria-label=${finding.item_key}>
    <div class="choices">
      ${['closed', 'carried_on'].map((outcome) => html`<button key=${outcome} aria-pressed=${verdict.outcome === outcome}
        class=${verdict.outcome === outcome ? 'answer on' : 'answer'} aria-label=${outcome === 'closed' ? label : `${finding.item_key} ${t('verdicts')[outcome]}`}
        onClick=${() => onChange({ outcome })}>${t('verdicts')[outcome]}</button>`)}
    </div>
    ${verdict.outcome && html`<textarea rows="2" value=${verdict.reason || ''}
      placeholder=${t(verdict.outcome === 'closed' ? 'closingNote' : 'carriedReason')}
      aria-label=${`${finding.item_key} ${t(verdict.outcome === 'closed' ? 'closingNote' : 'carriedReason')}`}
      onInput=${(e) => onChange({ reason: e.target.value })}></textarea>`}
    ${verdict.outcome === 'carried_on' && html`<label>${t('newDeadline')} <input type="date" min=${today()}
      value=${verdict.deadline || ''} aria-label=${`${finding.item_key} ${t('newDeadline')}`}
      onInput=${(e) => onChange({ deadline: e.target.value })} /></label>`}
    ${verdict.outcome && html`<div class="photos">
      ${shot ? html`<${Thumb} photo=${shot} onRemove=${() => onRemovePhoto(shot)} />`
        : html`<${PhotoButton} label=${t('verifyPhoto')} onFile=${onPhoto} />`}
    </div>`}
  </div>`;
}

// `open`: the enterprise's open findings; `draft.verifications`: the verdicts by finding id.
export function EarlierFindings({ open, draft, shots, locked, save, onPhoto, onRemovePhoto }) {
  if (!open.length) return null;
  const verifying = draft.plan.visit_type === 'follow_up';
  const verdicts = draft.verifications || {};
  const change = (id, c) => save((d) => ({ verifications: { ...d.verifications, [id]: { ...d.verifications?.[id], ...c } } }));
  const photo = async (id, file) => {
    const p = await onPhoto(file, { category: 'evidence', finding: id });
    change(id, { photo: p.id });
  };
  const removePhoto = async (id, p) => {
    await onRemovePhoto(p);
    change(id, { photo: null });
  };
  return html`<details class="open-findings" open=${verifying}><summary>${t('openFindings')} (${open.length})</summary>
    ${verifying && html`<p class="muted small">${t('verifyLead')}</p>`}
    <fieldset disabled=${locked} class="plain-fieldset">
    <ul class="plain">${open.map((f) => html`<li key=${f.id} data-finding=${f.id}><span class="mono">${f.item_key}</span> ${f.description}
      ${f.deadline && html`<span class=${f.overdue ? 'problem small' : 'muted'}> · ${t('deadline')} ${formatDate(f.deadline)}</span>`}
      ${verifying && html`<${Verdict} finding=${f} verdict=${verdicts[f.id]} shot=${shots.find((p) => p.id === verdicts[f.id]?.photo)}
        onChange=${(c) => change(f.id, c)} onPhoto=${(file) => photo(f.id, file)} onRemovePhoto=${(p) => removePhoto(f.id, p)} />`}
    </li>`)}</ul>
    </fieldset>
  </details>`;
}
