// 待处理: rectification evidence the enterprises sent on findings of the inspector's own
// visits, awaiting their decision — close the finding on it, or reject it saying what is
// still wrong (POST /api/findings/{id}/decision).
import { html } from 'htm/preact';

import { api } from '../api.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { formatTime, Preview } from '../media.js';
import { Link, useApi } from '../router.js';
import { CountTab, Problem } from '../ui.js';
import { EvidenceDecision } from './dossier.js';

const LIST = '/api/findings/awaiting-decision';

const tab = html`<${CountTab} titleKey="pendingTitle" countKey="pendingCount" changed="pending-changed"
  load=${() => api(LIST).then((items) => items.length)} />`;
addStrings(
  {
    pendingTab: tab,
    pendingTitle: '待处理',
    pendingCount: (n) => `${n} 项整改材料待处理`,
    pendingHeading: '待处理的整改材料',
    pendingLead: '企业针对您参与检查发现的问题上传了整改材料，请审核：已整改的关闭问题，未整改的驳回并说明原因。',
    pendingEmpty: '没有待处理的整改材料。',
    pendingDeadline: '整改期限',
    uploadedAt: '上传时间',
  },
  {
    pendingTab: tab,
    pendingTitle: 'To decide',
    pendingCount: (n) => `${n} awaiting your decision`,
    pendingHeading: 'Rectification evidence to decide',
    pendingLead: 'Enterprises sent evidence on findings of your visits. Close each finding that is put right; reject the rest, saying why.',
    pendingEmpty: 'No rectification evidence is waiting for you.',
    pendingDeadline: 'Deadline',
    uploadedAt: 'Uploaded',
  },
);

// One upload of evidence, and the decision on it (the dossier's own).
function Evidence({ id, finding, onDecided }) {
  const { data: media, error } = useApi(`/api/media/${id}`);
  if (error) return html`<${Problem} error=${error} />`;
  if (!media) return html`<p class="muted">${t('loading')}</p>`;
  return html`<div class="evidence" data-testid="evidence">
    <${Preview} media=${media} />
    <span class="muted small">${t('uploadedAt')} ${formatTime(media.uploaded_at)}${media.caption ? ` · ${media.caption}` : ''}</span>
    <${EvidenceDecision} finding=${finding} media=${media} onDone=${onDecided} />
  </div>`;
}

export function Pending() {
  const list = useApi(LIST);
  const decided = () => {
    list.reload();
    dispatchEvent(new Event('pending-changed'));
  };
  return html`<main>
    <h1>${t('pendingHeading')}</h1>
    <${Problem} error=${list.error} />
    ${!list.data && !list.error && html`<p class="muted">${t('loading')}</p>`}
    ${list.data?.length === 0 && html`<p class="empty">✓ ${t('pendingEmpty')}</p>`}
    ${list.data?.length > 0 && html`<p class="muted">${t('pendingLead')}</p>`}
    <ul class="cards">
      ${(list.data || []).map((f) => html`<li key=${f.id} class="card pending" data-testid="pending-card">
        <strong>${f.enterprise_name}</strong>
        <span><span class="mono">${f.item_key}</span> ${f.description}</span>
        ${f.deadline && html`<span class=${f.overdue ? 'problem small' : 'muted small'}>${t('pendingDeadline')} ${formatDate(f.deadline)}</span>`}
        ${f.pending_evidence.map((id) => html`<${Evidence} key=${id} id=${id} finding=${f} onDecided=${decided} />`)}
        <${Link} href=${`/enterprises/${f.enterprise_id}/dossier`}>${t('openDossier')} →<//>
      </li>`)}
    </ul>
  </main>`;
}
