// An enterprise's dossier: rectification orders (with evidence upload for the enterprise
// and the inspector's decision), the timeline of visits, current warning notices and the
// photo archive by category, the official documents, exports of its lists and the evidence
// package. Enterprise users see their own; staff their jurisdiction's.
import { useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from '../api.js';
import { explain } from '../errors.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { DocumentList, Export, PackageDownload } from '../files.js';
import { FILE_TYPES, Flags, formatTime, Preview, uploadMedia } from '../media.js';
import { signInAgain, useApi, usePages } from '../router.js';
import { Problem } from '../ui.js';

addStrings(
  {
    dossier: '企业档案',
    dossierOf: '档案',
    dossierMissing: '找不到该企业的档案，或您无权查看。',
    openFullDossier: '查看完整档案（检查记录、整改、警示语、影像）',
    sectionFindings: '整改通知',
    sectionVisits: '检查记录',
    sectionNotices: '警示语张贴',
    sectionArchive: '影像档案',
    sectionDocuments: '执法文书',
    sectionPackage: '案卷',
    findingsEmpty: '没有整改通知：历次检查未发现需要整改的问题。',
    visitsEmpty: '还没有检查记录。',
    noticesEmpty: '目前没有张贴中的警示语。',
    noticesEnded: (n) => `另有 ${n} 张已更换或撤下。`,
    archiveEmpty: '影像档案中还没有照片或文件。',
    findingOverdue: '已逾期',
    deadlineOn: (d) => `整改期限 ${d}`,
    evidence: '整改材料',
    noEvidence: '尚未上传整改材料。',
    evidenceStatus: { pending: '待检查人员确认', accepted: '已确认', returned: '已驳回' },
    rejectedBecause: '驳回原因',
    chooseFile: '选择整改照片或文件',
    caption: '说明（可选）',
    captionPlaceholder: '例如：已更换温度计并重新校准',
    sendEvidence: '上传整改材料',
    uploaded: '已上传，等待检查人员确认。',
    closeFinding: '确认整改完成',
    rejectEvidence: '驳回',
    rejectNote: '驳回原因（企业会看到）',
    printPdf: '打印（PDF）',
    verify: '核验页',
    postedAt: '张贴于',
    at: '位置',
    code: '编号',
    visitReturned: '退回原因',
  },
  {
    dossier: 'Dossier',
    dossierOf: 'Dossier',
    dossierMissing: 'There is no such dossier, or it is not yours to see.',
    openFullDossier: 'Open the full dossier (visits, rectification, notices, photos)',
    sectionFindings: 'Rectification orders',
    sectionVisits: 'Visits',
    sectionNotices: 'Warning notices',
    sectionArchive: 'Photo archive',
    sectionDocuments: 'Official documents',
    sectionPackage: 'Case file',
    findingsEmpty: 'No rectification orders: no visit found anything to put right.',
    visitsEmpty: 'No visits yet.',
    noticesEmpty: 'No warning notices are posted at the moment.',
    noticesEnded: (n) => `${n} more were replaced or taken down.`,
    archiveEmpty: 'The archive holds no photos or documents yet.',
    findingOverdue: 'Overdue',
    deadlineOn: (d) => `Deadline ${d}`,
    evidence: 'Evidence',
    noEvidence: 'No evidence uploaded yet.',
    evidenceStatus: { pending: "Waiting for the inspector's decision", accepted: 'Accepted', returned: 'Rejected' },
    rejectedBecause: 'Why it was rejected',
    chooseFile: 'Choose a photo or document',
    caption: 'Note (optional)',
    captionPlaceholder: 'e.g. Thermometer replaced and calibrated',
    sendEvidence: 'Upload evidence',
    uploaded: "Uploaded; waiting for the inspector's decision.",
    closeFinding: 'Close: put right',
    rejectEvidence: 'Reject',
    rejectNote: 'Why it is rejected (the enterprise sees this)',
    printPdf: 'Print (PDF)',
    verify: 'Verification page',
    postedAt: 'Posted',
    at: 'At',
    code: 'Code',
    visitReturned: 'Returned because',
  },
);

const CATEGORIES = ['rectification', 'evidence', 'premises', 'licence', 'notice', 'ledger', 'signature', 'other'];
const FIELD_TEAM = ['inspector', 'supervisor'];

export function Dossier({ params: [id], me }) {
  const { data: e, error } = useApi(`/api/enterprises/${id}`);
  if (error) {
    const missing = error instanceof ApiError && (error.status === 404 || error.status === 403);
    return html`<main><h1>${t('dossier')}</h1>
      <p class="problem" role="alert">${missing ? t('dossierMissing') : explain(error)}</p></main>`;
  }
  if (!e) return html`<main><p class="muted">${t('loading')}</p></main>`;
  const sections = [['findings', 'sectionFindings'], ['visits', 'sectionVisits'], ['documents', 'sectionDocuments'],
    ['notices', 'sectionNotices'], ['archive', 'sectionArchive'], ['package', 'sectionPackage']];
  return html`<main class="dossier">
    ${me.role !== 'enterprise' && html`<button class="link" onClick=${() => history.back()}>← ${t('back')}</button>`}
    <h1>${e.name} · ${t('dossierOf')}</h1>
    <p class="muted">${e.address}</p>
    <nav class="chips" aria-label=${t('dossier')}>
      ${sections.map(([anchor, key]) => html`<a class="chip" href=${`#${anchor}`} key=${anchor}
        onClick=${(ev) => { ev.preventDefault(); document.getElementById(anchor).scrollIntoView(); }}>${t(key)}</a>`)}
    </nav>
    <${Findings} id=${id} me=${me} />
    <${Timeline} id=${id} me=${me} />
    <section id="documents">
      <h2>${t('sectionDocuments')}</h2>
      <${DocumentList} path=${`/api/enterprises/${id}/documents`} />
    </section>
    <${Notices} id=${id} />
    <${Archive} id=${id} me=${me} />
    <section id="package">
      <h2>${t('packageTitle')}</h2>
      <${PackageDownload} enterpriseId=${id} categories=${CATEGORIES} />
    </section>
  </main>`;
}

// ------------------------------------------------------------ rectification orders

function Findings({ id, me }) {
  const findings = useApi(`/api/enterprises/${id}/findings`);
  const evidence = useApi(`/api/enterprises/${id}/media?category=rectification&limit=200`);
  const byId = Object.fromEntries((evidence.data?.items || []).map((m) => [m.id, m]));
  const reload = () => {
    findings.reload();
    evidence.reload();
  };
  const list = findings.data ? [...findings.data].sort((a, b) => (a.status === 'open') === (b.status === 'open') ? 0 : a.status === 'open' ? -1 : 1) : [];
  return html`<section id="findings">
    <h2>${t('sectionFindings')}</h2>
    <${Export} path="/api/exports/findings" query=${{ enterprise_id: id }} />
    <${Problem} error=${findings.error || evidence.error} />
    ${!findings.data && !findings.error && html`<p class="muted">${t('loading')}</p>`}
    ${findings.data && list.length === 0 && html`<p class="empty">${t('findingsEmpty')}</p>`}
    <ul class="cards">
      ${list.map((f) => html`<${Finding} key=${f.id} f=${f} evidence=${f.evidence.map((e) => byId[e]).filter(Boolean)}
        enterpriseId=${id} me=${me} onChange=${reload} />`)}
    </ul>
  </section>`;
}

function Finding({ f, evidence, enterpriseId, me, onChange }) {
  const state = f.status !== 'open' ? ['valid', t('finding_statuses').closed]
    : f.overdue ? ['missing', t('findingOverdue')] : ['expiring', t('finding_statuses').open];
  return html`<li class=${`card finding ${f.overdue ? 'overdue' : ''}`}>
    <strong>${f.item_key} ${f.description}</strong>
    <span class="muted">${t('severities')[f.severity] || f.severity} · ${f.legal_basis}</span>
    <span class="badges">
      <span class=${`badge ${state[0]}`}>${state[1]}</span>
      ${f.deadline && html`<span class=${f.overdue ? 'badge missing' : 'badge'}>${t('deadlineOn')(formatDate(f.deadline))}</span>`}
    </span>
    ${f.status !== 'open' && html`<p class="decided">✓ ${t('closed_via')[f.closed_via] || ''} · ${formatTime(f.closed_at)}
      ${f.closure_note && html`<br />${f.closure_note}`}</p>`}
    <h3>${t('evidence')}</h3>
    ${evidence.length === 0 ? html`<p class="muted">${t('noEvidence')}</p>` : html`<ul class="evidence">
      ${evidence.map((m) => html`<li key=${m.id}>
        <${Preview} media=${m} variant="thumbnail" />
        <div>
          <span class=${`badge ${m.status === 'returned' ? 'missing' : m.status === 'accepted' ? 'valid' : 'expiring'}`}>
            ${t('evidenceStatus')[m.status]}</span>
          ${m.caption && html`<p>${m.caption}</p>`}
          <span class="muted">${formatTime(m.uploaded_at)}</span>
          ${m.status === 'returned' && html`<p class="reason"><span>${t('rejectedBecause')}：</span>${m.review_reason}</p>`}
          ${m.status === 'pending' && f.status === 'open' && FIELD_TEAM.includes(me.role)
            && html`<${EvidenceDecision} finding=${f} media=${m} onDone=${onChange} />`}
        </div>
      </li>`)}
    </ul>`}
    ${f.status === 'open' && me.role === 'enterprise' && html`<${EvidenceUpload} finding=${f} enterpriseId=${enterpriseId} onDone=${onChange} />`}
  </li>`;
}

function EvidenceUpload({ finding, enterpriseId, onDone }) {
  const [file, setFile] = useState(null);
  const [caption, setCaption] = useState('');
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const send = async () => {
    setError(null);
    setDone(false);
    setProgress(0);
    try {
      await uploadMedia({ id: crypto.randomUUID(), enterprise_id: enterpriseId, category: 'rectification',
        rectification_id: finding.id, caption: caption.trim() }, file, setProgress);
      setFile(null);
      setCaption('');
      setDone(true);
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return signInAgain();
      setError(e);
    } finally {
      setProgress(null);
    }
  };
  const pct = Math.round((progress || 0) * 100);
  return html`<div class="upload">
    <label class="file-pick">
      <input type="file" accept=${FILE_TYPES} onChange=${(e) => { setFile(e.target.files[0] || null); setDone(false); }} />
      <span>＋ ${file ? file.name : t('chooseFile')}</span>
    </label>
    <label class="field"><span>${t('caption')}</span>
      <input type="text" maxlength="500" value=${caption} placeholder=${t('captionPlaceholder')} onInput=${(e) => setCaption(e.target.value)} />
    </label>
    <button class="primary" onClick=${send} disabled=${!file || progress !== null}>${t('sendEvidence')}</button>
    ${progress !== null && html`<div class="progress"><progress max="100" value=${pct}></progress>
      <span role="status">${t('uploading')(pct)}</span></div>`}
    ${done && html`<p class="ok" role="status">✓ ${t('uploaded')}</p>`}
    <${Problem} error=${error} />
  </div>`;
}

export function EvidenceDecision({ finding, media, onDone }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const decide = async (decision) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/findings/${finding.id}/decision`, { method: 'POST',
        body: { decision, via: 'evidence', evidence_id: media.id, note: note.trim() } });
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return signInAgain();
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="evidence-decision">
    <button class="primary" onClick=${() => decide('close')} disabled=${busy}>✓ ${t('closeFinding')}</button>
    <label class="field"><span>${t('rejectNote')}</span>
      <textarea rows="2" maxlength="2000" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea>
    </label>
    <button class="secondary danger" onClick=${() => decide('reject')} disabled=${busy}>↩ ${t('rejectEvidence')}</button>
    <${Problem} error=${error} />
  </div>`;
}

// ------------------------------------------------------------ visits

function Timeline({ id, me }) {
  const { items, page, cursor, loading, error, more } = usePages(`/api/visits?enterprise_id=${id}&limit=20`);
  return html`<section id="visits">
    <h2>${t('sectionVisits')}</h2>
    <${Export} path="/api/exports/visits" query=${{ enterprise_id: id }} />
    <${Problem} error=${error} />
    ${loading && html`<p class="muted">${t('loading')}</p>`}
    ${page && items.length === 0 && html`<p class="empty">${t('visitsEmpty')}</p>`}
    ${items.length > 0 && html`<ol class="timeline">
      ${items.map((v) => html`<li key=${v.id} class=${`visit ${v.status}`}>
        <time>${formatDate(v.started_at || v.planned_date)}</time>
        <strong>${t('visit_types')[v.visit_type]}</strong>
        <span class="badges">
          <span class="badge">${t('visit_statuses')[v.status]}</span>
          ${v.conclusion && html`<span class=${`badge ${v.conclusion === 'pass' ? 'valid' : v.conclusion === 'fail' ? 'missing' : 'expiring'}`}>
            ${t('conclusions')[v.conclusion]}</span>`}
        </span>
        ${v.review_reason && me.role !== 'enterprise' && html`<p class="reason"><span>${t('visitReturned')}：</span>${v.review_reason}</p>`}
        ${v.status !== 'planned' && html`<${VisitDocuments} id=${v.id} />`}
      </li>`)}
    </ol>`}
    ${cursor && !loading && html`<button class="secondary" onClick=${more}>${t('loadMore')}</button>`}
  </section>`;
}

// A filed visit's documents, fetched when opened.
function VisitDocuments({ id }) {
  const [open, setOpen] = useState(false);
  return html`<details class="visit-documents" onToggle=${(e) => setOpen(e.target.open)}>
    <summary>${t('documents')}</summary>
    ${open && html`<${DocumentList} path=${`/api/visits/${id}/documents`} />`}
  </details>`;
}

// ------------------------------------------------------------ notices

function Notices({ id }) {
  const { data, error } = useApi(`/api/enterprises/${id}/notices`);
  const current = (data || []).filter((n) => n.status === 'current');
  const ended = (data || []).length - current.length;
  return html`<section id="notices">
    <h2>${t('sectionNotices')}</h2>
    <${Export} path="/api/exports/notices" query=${{ enterprise_id: id }} />
    <${Problem} error=${error} />
    ${!data && !error && html`<p class="muted">${t('loading')}</p>`}
    ${data && current.length === 0 && html`<p class="empty">${t('noticesEmpty')}</p>`}
    <ul class="cards">
      ${current.map((n) => html`<li key=${n.id} class="card notice">
        <strong>${n.title}</strong>
        <span>${t('at')}：${n.control_point_name}</span>
        <span class="muted">${t('code')} <span class="mono">${n.code}</span> · ${t('postedAt')} ${formatDate(n.posted_at)} · ${n.bureau}</span>
        <span class="actions">
          <a href=${`/api/notices/${n.id}/print.pdf`} target="_blank" rel="noopener">${t('printPdf')}</a>
          <a href=${`/v/${n.code}`} target="_blank" rel="noopener">${t('verify')}</a>
        </span>
      </li>`)}
    </ul>
    ${ended > 0 && html`<p class="muted">${t('noticesEnded')(ended)}</p>`}
  </section>`;
}

// ------------------------------------------------------------ photo archive

function Archive({ id, me }) {
  const [category, setCategory] = useState('');
  const { items, page, cursor, loading, error, more } = usePages(
    `/api/enterprises/${id}/media?${new URLSearchParams({ limit: '24', ...(category ? { category } : {}) })}`);
  const counts = page?.counts || {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const chips = [['', t('all'), total], ...CATEGORIES.filter((c) => counts[c]).map((c) => [c, t('media_categories')[c], counts[c]])];
  return html`<section id="archive">
    <h2>${t('sectionArchive')}</h2>
    <${Problem} error=${error} />
    ${total > 0 && html`<div class="chips" role="group" aria-label=${t('sectionArchive')}>
      ${chips.map(([c, label, n]) => html`<button key=${c} class=${category === c ? 'chip on' : 'chip'} aria-pressed=${category === c}
        onClick=${() => setCategory(c)}>${label} ${n}</button>`)}
    </div>`}
    ${loading && html`<p class="muted">${t('loading')}</p>`}
    ${page && items.length === 0 && html`<p class="empty">${t('archiveEmpty')}</p>`}
    ${items.length > 0 && html`<ul class="gallery">
      ${items.map((m) => html`<li key=${m.id}>
        <${Preview} media=${m} variant="thumbnail" />
        <span class="muted">${t('media_categories')[m.category]} · ${formatDate(m.captured_at || m.uploaded_at)}</span>
        ${m.caption && html`<span class="caption">${m.caption}</span>`}
        ${me.role !== 'enterprise' && html`<${Flags} flags=${m.flags} />`}
      </li>`)}
    </ul>`}
    ${cursor && !loading && html`<button class="secondary" onClick=${more}>${t('loadMore')}</button>`}
  </section>`;
}
