// A filed visit (submitted or reviewed), read only: every answer with its photos, the
// findings and their deadlines, every other photo (premises, control points, notices) with
// its caption, every signature image with the signer's name, the team, the times and the
// visit's documents. Opened at /visits/<id> by anyone whose jurisdiction holds the visit
// (screens/visit.js hands a filed visit over); the review desk shows the same body.
import { html } from 'htm/preact';

import { addStrings, formatDate, t } from '../i18n.js';
import { DocumentList } from '../files.js';
import { formatTime, Preview, takenAt } from '../media.js';
import { Link, useApi } from '../router.js';
import { itemClass } from '../rules.js';
import { Problem } from '../ui.js';

addStrings({
  recordTitle: '检查记录', recordPlanned: '计划日期', recordStarted: '开始时间', recordSubmitted: '提交时间',
  recordReviewed: '审核时间', recordReturnedFor: '退回原因', recordConclusion: '检查结论', recordTeam: '检查组',
  recordCertificate: (no) => `执法证号 ${no}`,
  recordAnswers: '检查项', recordNote: '备注',
  recordFindings: '发现问题及整改要求', recordDeadline: '整改期限',
  recordPhotos: '现场照片', recordNoPhotos: '没有其他照片。', recordSignatures: '签字确认',
  recordSigners: { inspector: '检查人员', enterprise: '企业负责人' }, recordRefused: '拒绝签字', recordWitness: '见证情况',
  recordDocuments: '本次检查的文书', recordAmendedBy: '此记录已被更正，见更正记录', recordAmends: '更正的原记录',
  recordOpenEnterprise: '查看该企业',
}, {
  recordTitle: 'Visit record', recordPlanned: 'Planned for', recordStarted: 'Started', recordSubmitted: 'Submitted',
  recordReviewed: 'Reviewed', recordReturnedFor: 'Returned because', recordConclusion: 'Conclusion', recordTeam: 'Team',
  recordCertificate: (no) => `certificate ${no}`, recordAnswers: 'Checklist items',
  recordNote: 'Note', recordFindings: 'Findings and rectification', recordDeadline: 'Deadline',
  recordPhotos: 'Photos on site',
  recordNoPhotos: 'No other photos.', recordSignatures: 'Signatures',
  recordSigners: { inspector: 'Inspector', enterprise: "Enterprise's representative" }, recordRefused: 'Refused to sign',
  recordWitness: 'Witness note', recordDocuments: "This visit's documents",
  recordAmendedBy: 'This record was corrected; see the correction', recordAmends: 'The record it corrects',
  recordOpenEnterprise: 'Open the enterprise',
});

// A photo (or video) of the record: its thumbnail (tap to zoom), caption, what it shows and when.
export function MediaCard({ m }) {
  return html`<li class="record-photo" data-media=${m.id} data-category=${m.category}>
    <span class="thumbs"><${Preview} media=${m} variant="thumbnail" /></span>
    <span class="record-photo-text">
      <strong>${m.caption || t('media_categories')[m.category]}</strong>
      <span class="small muted">${[m.caption && t('media_categories')[m.category], m.control_point_name].filter(Boolean).join(' · ')}</span>
      <span class="small muted">${takenAt(m)}</span>
    </span>
  </li>`;
}

function Answer({ answer, item, media }) {
  const value = answer.number ?? answer.choice ?? answer.text;
  return html`<li class=${`item ${answer.result || ''}`} data-item=${answer.item}>
    <p class="item-text"><span class="mono">${answer.item}</span> ${item?.text || ''}</p>
    <p class="badges small">
      ${item && html`<span class=${itemClass(item) === 'key' ? 'badge item-class sev-critical' : 'badge item-class'}>
        ${t('item_classes')[itemClass(item)]}</span>`}
      ${answer.result && html`<span class=${answer.result === 'fail' ? 'badge missing' : answer.result === 'pass' ? 'badge valid' : 'badge'}
        data-result=${answer.result}>${t('results')[answer.result]}</span>`}
      ${value !== undefined && value !== null && html`<span class="badge">${value}${item?.unit ? ` ${item.unit}` : ''}</span>`}
    </p>
    ${answer.note && html`<p class="small">${t('recordNote')}：${answer.note}</p>`}
    ${media.length > 0 && html`<ul class="record-photos">${media.map((m) => html`<${MediaCard} key=${m.id} m=${m} />`)}</ul>`}
  </li>`;
}

function Signature({ s, media }) {
  return html`<li class="record-signature" data-signer=${s.signer}>
    <strong>${t('recordSigners')[s.signer]}：${s.name}</strong>
    ${s.refused ? html`<span class="badge missing">${t('recordRefused')}</span>
      ${s.witness_note && html`<span class="small">${t('recordWitness')}：${s.witness_note}</span>`}`
      : media && html`<span class="thumbs"><${Preview} media=${media} variant="thumbnail" /></span>`}
  </li>`;
}

// The record itself, for a visit as GET /api/visits/{id} answers it.
export function RecordBody({ visit: v }) {
  const media = useApi(`/api/visits/${v.id}/media`);
  const checklist = useApi(`/api/checklists/${v.checklist_id}`); // every role reads the version the visit used
  const items = Object.fromEntries((checklist.data?.sections || []).flatMap((s) => s.items).map((i) => [i.key, i]));
  const byId = Object.fromEntries((media.data || []).map((m) => [m.id, m]));
  const named = new Set([...v.answers.flatMap((a) => a.media || []), ...v.signatures.map((s) => s.media_id)]);
  const others = (media.data || []).filter((m) => !named.has(m.id));
  return html`<div class="record">
    <dl>
      <dt>${t('recordPlanned')}</dt><dd>${formatDate(v.planned_date)}</dd>
      <dt>${t('recordStarted')}</dt><dd data-testid="started">${formatTime(v.started_at) || '—'}</dd>
      <dt>${t('recordSubmitted')}</dt><dd>${formatTime(v.submitted_at) || '—'}</dd>
      ${v.reviewed_at && html`<dt>${t('recordReviewed')}</dt><dd>${formatTime(v.reviewed_at)}</dd>`}
      ${v.review_reason && html`<dt>${t('recordReturnedFor')}</dt><dd>${v.review_reason}</dd>`}
      ${v.conclusion && html`<dt>${t('recordConclusion')}</dt><dd><strong>${t('conclusions')[v.conclusion]}</strong></dd>`}
      <dt>${t('recordTeam')}</dt>
      <dd>${v.members.map((m) => html`<span key=${m.id} class="record-member">${m.display_name}
        <span class="small muted">${m.certificate_no && t('recordCertificate')(m.certificate_no)}</span></span>`)}</dd>
    </dl>
    ${v.amends && html`<p><${Link} href=${`/visits/${v.amends}`}>${t('recordAmends')} →<//></p>`}
    ${v.amended_by.map((id) => html`<p key=${id} class="problem small"><${Link} href=${`/visits/${id}`}>${t('recordAmendedBy')} →<//></p>`)}
    <${Problem} error=${media.error} />

    <h2>${t('recordAnswers')} (${v.answers.length})</h2>
    <ol class="items record-answers">${v.answers.map((a) => html`<${Answer} key=${a.item} answer=${a} item=${items[a.item]}
      media=${(a.media || []).map((id) => byId[id]).filter(Boolean)} />`)}</ol>

    ${v.findings.length > 0 && html`<h2>${t('recordFindings')}</h2>
      <ul class="cards">${v.findings.map((f) => html`<li key=${f.id} class="card" data-finding=${f.item_key}>
        <strong><span class="mono">${f.item_key}</span> ${f.description}</strong>
        <span class="small muted">${t('severities')[f.severity] || f.severity} · ${f.legal_basis}</span>
        <span class="badges">
          ${f.deadline && html`<span class="badge expiring">${t('recordDeadline')} ${formatDate(f.deadline)}</span>`}
          <span class=${f.status === 'closed' ? 'badge valid' : 'badge'}>${t('finding_statuses')[f.status] || f.status}</span>
        </span>
      </li>`)}</ul>`}

    <h2>${t('recordPhotos')}</h2>
    ${media.data && (others.length ? html`<ul class="record-photos">${others.map((m) => html`<${MediaCard} key=${m.id} m=${m} />`)}</ul>`
      : html`<p class="muted small">${t('recordNoPhotos')}</p>`)}

    <h2>${t('recordSignatures')}</h2>
    <ul class="record-signatures">${v.signatures.map((s, i) => html`<${Signature} key=${i} s=${s} media=${byId[s.media_id]} />`)}</ul>

    <h2>${t('recordDocuments')}</h2>
    <${DocumentList} path=${`/api/visits/${v.id}/documents`} />
  </div>`;
}

export function VisitRecord({ params: [id] }) {
  const { data: v, error } = useApi(`/api/visits/${id}`);
  return html`<main class="visit-record">
    <button class="link" onClick=${() => history.back()}>← ${t('back')}</button>
    <${Problem} error=${error} />
    ${!v && !error && html`<p class="muted">${t('loading')}</p>`}
    ${v && html`<${Heading} v=${v} /><${RecordBody} visit=${v} />
      <p><${Link} href=${`/enterprises/${v.enterprise_id}`}>${t('recordOpenEnterprise')} →<//></p>`}
  </main>`;
}

function Heading({ v }) {
  const enterprise = useApi(`/api/enterprises/${v.enterprise_id}`);
  return html`<h1>${enterprise.data?.name || t('recordTitle')}</h1>
    <p class="muted">${t('recordTitle')} · ${t('visit_types')[v.visit_type]}${' '}
      <span class=${v.status === 'returned' ? 'badge missing' : v.status === 'accepted' ? 'badge valid' : 'badge expiring'}
        data-testid="record-status">${t('visit_statuses')[v.status]}</span></p>`;
}
