// A visit on site: start (time and GPS), answer the pinned checklist item by item with
// photos, record findings with rectification deadlines, post warning notices at control
// points, collect signatures, conclude and submit — all saved on the phone as it happens.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { ApiError } from '../api.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { addPhoto, answersOf, assessDraft, checklistById, conclusionOf, covers, findingsOf, fittingChecklist, isVideoShot, newDraft,
  newId, OFFICERS, problems, rememberMembers, submitDraft, teamOf } from '../fieldwork.js';
import { formatDuration } from '../media.js';
import { itemClass } from '../rules.js';
import { PhotoButton } from '../camera.js';
import { cachedApi, drafts, photos, reopen, subscribe } from '../outbox.js';
import { EarlierFindings } from './followUp.js';
import { TemplateChooser } from './noticeTemplates.js';
import { reasonWords } from './outbox.js';
import { VisitRecord } from './visitRecord.js';
import { VisitChoices } from './planVisit.js';
import { navigate, signInAgain } from '../router.js';
import { Problem, today } from '../ui.js';

addStrings({
  visit: '现场检查',
  start: '开始检查（记录时间和定位）',
  startedAt: (time) => `开始于 ${time}`,
  gpsAt: (lat, lon) => `定位 ${lat.toFixed(5)}, ${lon.toFixed(5)}`,
  gpsNone: '未获得定位（已拒绝或无信号），照片将使用相机自带信息。',
  allItems: '全部',
  naReason: '合理缺项理由（必填）',
  naReasonNeeded: '合理缺项须写明理由',
  limits: (min, max, unit) => `范围 ${min} – ${max} ${unit}`,
  outOfLimits: '超出范围，请核实',
  note: '备注',
  takePhoto: '拍照',
  takeVideo: '录像',
  videoOf: (length) => (length ? `视频 ${length}` : '视频'),
  photoNeeded: '不符合：需拍照取证',
  finding: '问题及整改要求',
  findingDescription: '问题描述',
  deadline: '整改期限',
  deadlinePast: '整改期限不能早于今天',
  controlPointsVisit: '关键控制点',
  pointPhoto: '拍摄现场',
  postNotice: '张贴警示语',
  chooseTemplate: '选择警示语模板',
  currentNotice: (code) => `现有警示语 ${code}（张贴新的将替换）`,
  noticePhoto: '拍摄张贴后的照片',
  noticeToPost: '待张贴',
  cancel: '取消',
  remove: '删除',
  openFindings: '待整改的问题',
  signatures: '签字确认',
  inspectorSigns: '检查人员签名',
  enterpriseSigns: '企业负责人签名',
  signerName: '签名人姓名',
  signHere: '请在框内签名',
  signAgain: '重新签名',
  refuses: '拒绝签字',
  witnessNote: '见证情况（见证人姓名、在场情况）',
  conclusionTitle: '检查结论',
  ruledBy: (why) => `按检查表规则得出：${why}`,
  ruleWhen: (what, result, n) => (n > 1 ? `${what}${result} ${n} 项及以上` : `有${what}${result}`),
  anyItem: '检查项',
  otherwise: '未触及以上情形',
  submit: '提交检查（离线也可）',
  notReady: '提交前还需：',
  problemText: {
    notStarted: '开始检查', photoRequired: '为不符合项拍照：', deadlinePast: '修改过期的整改期限：',
    naReason: '写明合理缺项的理由：', keyItems: '检查更多重点项（已查/应查）：', allItems: '检查更多项目（已查/应查）：',
    inspectorSignature: '每位检查人员签名', enterpriseSignature: '企业负责人签名，或拒签并写明见证情况', noConclusion: '选择检查结论',
    verification: '核实回访的问题（未整改的写明原因和新期限）：',
  },
  submitted: '已提交，记录保存在本机，联网后自动发送。',
  visitRefused: '服务器拒收了这次检查的部分内容：',
  reopenToCorrect: '修改后重新提交',
  photoCaption: '照片说明（可选）',
  unanswered: (n) => `还有 ${n} 项未作答`,
  newVisit: '新建检查',
  team: '检查组',
  teamHint: '执法检查至少两人：选择与您同行的同事，双方都要签名。',
  noColleagues: '本机没有可选的同事（辖区内其他在岗检查人员）：请联网后打开一次“今日任务”，或请科室在系统中添加同事。',
  memberCertificate: (no) => `执法证号 ${no}`,
  createVisit: '创建并开始',
  confirmTitle: '确认提交这次检查',
  confirmSummary: '提交后检查记录即锁定，不能再修改（更正需另行补正）。请核对：',
  summaryAnswered: (n, of) => `已检查 ${n}/${of} 项`,
  summaryFindings: (n) => `发现问题 ${n} 项`,
  summaryPhotos: (n) => `照片和视频 ${n} 个`,
  summaryNotices: (n) => `张贴警示语 ${n} 张`,
  summarySignatures: (names) => `签名：${names}`,
  summaryRefused: (name) => `${name}（拒签，已记录见证情况）`,
  confirmSubmit: '确认提交',
  backToVisit: '返回修改',
  offlineMissing: '离线且本机没有这家企业的资料：请联网后在“今日任务”打开一次。',
  previewRecord: '预览笔录',
  previewHint: '请企业负责人核对笔录内容后签名。提交后由系统编号，打印件与此内容一致（检查结束时间以提交时间为准）。',
  closePreview: '关闭预览',
}, {
  visit: 'Site visit',
  start: 'Start the visit (time and location)',
  startedAt: (time) => `Started ${time}`,
  gpsAt: (lat, lon) => `Location ${lat.toFixed(5)}, ${lon.toFixed(5)}`,
  gpsNone: 'No location (refused or no signal); photos keep their camera data.',
  allItems: 'All',
  naReason: 'Why it does not apply (required)',
  naReasonNeeded: 'Not applicable: say why',
  limits: (min, max, unit) => `Range ${min} – ${max} ${unit}`,
  outOfLimits: 'Out of range, please check',
  note: 'Note',
  takePhoto: 'Photo',
  takeVideo: 'Record video',
  videoOf: (length) => (length ? `Video ${length}` : 'Video'),
  photoNeeded: 'Failed: a photo of the evidence is required',
  finding: 'Finding and rectification',
  findingDescription: 'What is wrong',
  deadline: 'Deadline',
  deadlinePast: 'The deadline cannot be before today',
  controlPointsVisit: 'Control points',
  pointPhoto: 'Photograph',
  postNotice: 'Post a warning notice',
  chooseTemplate: 'Choose a notice template',
  currentNotice: (code) => `Current notice ${code} (a new one replaces it)`,
  noticePhoto: 'Photograph it in place',
  noticeToPost: 'To post',
  cancel: 'Cancel',
  remove: 'Remove',
  openFindings: 'Open findings',
  signatures: 'Signatures',
  inspectorSigns: 'Inspector',
  enterpriseSigns: "Enterprise's representative",
  signerName: 'Name',
  signHere: 'Sign inside the box',
  signAgain: 'Sign again',
  refuses: 'Refuses to sign',
  witnessNote: 'Witness note (who saw it, who was present)',
  conclusionTitle: 'Conclusion',
  ruledBy: (why) => `By the checklist's rule: ${why}`,
  ruleWhen: (what, result, n) => `${n > 1 ? `${n} or more` : 'a'} ${what.toLowerCase()} answered ${result}`,
  anyItem: 'checklist item',
  otherwise: 'none of the above',
  submit: 'Submit (works offline)',
  notReady: 'Before submitting:',
  problemText: {
    notStarted: 'start the visit', photoRequired: 'photograph the failed item ', deadlinePast: 'fix the past deadline of ',
    naReason: 'say why this item does not apply: ', keyItems: 'examine more key items (done/required):',
    allItems: 'examine more items (done/required):',
    inspectorSignature: 'every inspector signs', enterpriseSignature: 'the representative signs, or refuses with a witness note',
    noConclusion: 'choose a conclusion',
    verification: 'verify the earlier finding (a reason and a new deadline if not rectified): ',
  },
  submitted: 'Submitted: saved on this phone, sent when the network allows.',
  visitRefused: 'The server refused part of this visit:',
  reopenToCorrect: 'Correct it and submit again',
  photoCaption: 'Caption (optional)',
  unanswered: (n) => `${n} items not answered`,
  newVisit: 'New visit',
  team: 'Team',
  teamHint: 'A visit takes at least two officers: choose the colleague with you; both of you sign.',
  noColleagues: 'No colleague to choose on this phone (other active inspectors of your jurisdiction): open Today once with a connection, or ask your office to add your colleagues.',
  memberCertificate: (no) => `Certificate ${no}`,
  createVisit: 'Create and start',
  confirmTitle: 'Submit this visit?',
  confirmSummary: 'Once submitted the record is locked and cannot change (a correction is a separate amendment). Check:',
  summaryAnswered: (n, of) => `${n} of ${of} items examined`,
  summaryFindings: (n) => `${n} findings`,
  summaryPhotos: (n) => `${n} photos and videos`,
  summaryNotices: (n) => `${n} warning notices posted`,
  summarySignatures: (names) => `Signed by ${names}`,
  summaryRefused: (name) => `${name} (refused, witness note recorded)`,
  confirmSubmit: 'Submit now',
  backToVisit: 'Back to the visit',
  offlineMissing: "Offline, and this enterprise's dossier is not on this phone: open it once from Today with a connection.",
  previewRecord: 'Preview the record',
  previewHint: "Let the enterprise's representative read the record before signing. Once submitted it is numbered; the printed record has these words (the end time is the time of submission).",
  closePreview: 'Close preview',
});

const timeOf = (iso) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
const loadError = (error) => (error instanceof ApiError ? error : new Error(t('offlineMissing')));

// ---------------------------------------------------------------- pieces

// Drawn, not an emoji: the same on every phone, whatever its fonts.
const DOCUMENT = html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 3h8l4 4v14H6z M14 3v4h4 M9 12h6 M9 16h6"
  fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" /></svg>`;

// The phone's own copy; a video plays in place, its poster the server's once it is sent.
export function Thumb({ photo, onRemove, onCaption }) {
  const url = useMemo(() => URL.createObjectURL(photo.blob), [photo.id]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const words = t('videoOf')(photo.duration ? formatDuration(photo.duration) : '');
  return html`<span class=${isVideoShot(photo) ? 'thumb video' : 'thumb'}>
    ${isVideoShot(photo) ? html`<video src=${url} controls playsinline preload="metadata" aria-label=${words}
        poster=${photo.sent ? `/api/media/${photo.id}/preview` : undefined}></video><span class="small muted">${words}</span>`
      : html`<img src=${url} alt=${photo.caption || ''} />`}
    ${onRemove && html`<button class="thumb-remove" aria-label=${t('remove')} onClick=${onRemove}>×</button>`}
    ${onCaption && html`<input class="caption" maxlength="500" value=${photo.caption || ''} placeholder=${t('photoCaption')}
      aria-label=${t('photoCaption')} onChange=${(e) => onCaption(e.target.value.trim())} />`}</span>`;
}

function SignaturePad({ photo, onSigned, label }) {
  const canvas = useRef(null);
  const drawing = useRef(false);
  const [again, setAgain] = useState(false);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.clientWidth * ratio;
    c.height = c.clientHeight * ratio;
    const ctx = c.getContext('2d');
    ctx.scale(ratio, ratio);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.strokeStyle = '#111';
  }, [photo?.id, again]);
  if (photo && !again) {
    return html`<div class="signed"><${Thumb} photo=${photo} />
      <button class="secondary" onClick=${() => setAgain(true)}>${t('signAgain')}</button></div>`;
  }
  const point = (e) => {
    const box = canvas.current.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  const down = (e) => {
    drawing.current = true;
    canvas.current.setPointerCapture?.(e.pointerId);
    const ctx = canvas.current.getContext('2d');
    ctx.beginPath();
    ctx.moveTo(...point(e));
  };
  const move = (e) => {
    if (!drawing.current) return;
    const ctx = canvas.current.getContext('2d');
    ctx.lineTo(...point(e));
    ctx.stroke();
  };
  const up = () => {
    if (!drawing.current) return;
    drawing.current = false;
    canvas.current.toBlob((blob) => {
      onSigned(new File([blob], 'signature.png', { type: 'image/png' }));
      setAgain(false);
    }, 'image/png');
  };
  return html`<canvas ref=${canvas} class="signature-pad" aria-label=${label} title=${t('signHere')}
    onPointerDown=${down} onPointerMove=${move} onPointerUp=${up} onPointerLeave=${up}></canvas>`;
}

// Examined against required key items and items in all, when the version asks a number.
function Coverage({ ruled }) {
  const { examined, required } = ruled;
  if (!required) return null;
  const count = (label, n, of) => html`<span class=${n >= of ? 'badge valid' : 'badge missing'}>${label} ${n}/${of}</span>`;
  return html`<p class="badges" data-testid="coverage">
    ${count(t('item_classes').key, examined.key_items, required.key_items)}${count(t('allItems'), examined.items, required.items)}</p>`;
}

// A conclusion rule's line in words, e.g. 有重点项不符合.
const ruleText = (line) => (line.when
  ? t('ruleWhen')(line.when.class ? t('item_classes')[line.when.class] : t('anyItem'), t('results')[line.when.result], line.when.at_least ?? 1)
  : t('otherwise'));

function Item({ item, answer = {}, finding, shots, needsReason, onAnswer, onFinding, onPhoto, onRemovePhoto, onCaption }) {
  const set = (change) => onAnswer({ ...answer, ...change });
  const mine = shots.filter((p) => p.item === item.key);
  const failed = answer.result === 'fail';
  const number = answer.number === undefined || answer.number === '' ? null : Number(answer.number);
  const outside = number !== null && (number < item.min || number > item.max);
  const cls = itemClass(item);
  const reason = needsReason && answer.result === 'na';
  return html`<li class=${`item ${answer.result || ''}`} data-item=${item.key} data-class=${cls}>
    <p class="item-text"><span class="mono">${item.key}</span> ${item.text}</p>
    <p class="badges small"><span class=${cls === 'key' ? 'badge item-class sev-critical' : 'badge item-class'}>${t('item_classes')[cls]}</span>
      <span class="muted">${item.legal_basis}</span></p>
    ${item.kind === 'pass_fail' && html`<div class="choices three">
      ${['pass', 'fail', 'na'].map((r) => html`<button class=${answer.result === r ? `answer on ${r}` : 'answer'}
        aria-pressed=${answer.result === r} onClick=${() => set({ result: answer.result === r ? null : r })}>${t('results')[r]}</button>`)}
    </div>`}
    ${item.kind === 'number' && html`<label class="number">
      <input type="number" inputmode="decimal" step="any" value=${answer.number ?? ''} aria-label=${item.text}
        onInput=${(e) => set({ number: e.target.value, result: null })} />
      <span>${item.unit}</span></label>
      <p class=${outside ? 'problem small' : 'muted small'}>${outside ? t('outOfLimits') : t('limits')(item.min, item.max, item.unit)}</p>`}
    ${item.kind === 'text' && html`<textarea rows="3" aria-label=${item.text} value=${answer.text || ''}
      onInput=${(e) => set({ text: e.target.value })}></textarea>`}
    ${item.kind === 'choice' && html`<div class="choices">
      ${item.choices.map((c) => html`<button class=${answer.choice === c ? 'answer on' : 'answer'} aria-pressed=${answer.choice === c}
        onClick=${() => set({ choice: answer.choice === c ? null : c })}>${c}</button>`)}
    </div>`}
    ${item.kind !== 'pass_fail' && html`<button class=${answer.result === 'na' ? 'answer on na small-answer' : 'answer small-answer'}
      aria-pressed=${answer.result === 'na'} onClick=${() => set({ result: answer.result === 'na' ? null : 'na' })}>${t('results').na}</button>`}
    <input class="note" placeholder=${reason ? t('naReason') : t('note')} aria-label=${`${item.key} ${reason ? t('naReason') : t('note')}`}
      value=${answer.note || ''} onInput=${(e) => set({ note: e.target.value })} />
    ${reason && !(answer.note || '').trim() && html`<p class="problem small">${t('naReasonNeeded')}</p>`}
    <div class="photos">
      ${mine.map((p) => html`<${Thumb} key=${p.id} photo=${p} onRemove=${() => onRemovePhoto(p)} onCaption=${(c) => onCaption(p, c)} />`)}
      <${PhotoButton} label=${t('takePhoto')} testid=${`photo-${item.key}`} onFile=${onPhoto} />
      <${PhotoButton} label=${t('takeVideo')} testid=${`video-${item.key}`} onFile=${onPhoto} video />
    </div>
    ${failed && item.photo_required_on_fail && mine.length === 0 && html`<p class="problem small">${t('photoNeeded')}</p>`}
    ${failed && html`<fieldset class="finding"><legend>${t('finding')}</legend>
      <textarea rows="2" placeholder=${t('findingDescription')} aria-label=${`${item.key} ${t('findingDescription')}`}
        value=${finding?.description || ''} onInput=${(e) => onFinding({ description: e.target.value })}></textarea>
      <label>${t('deadline')} <input type="date" min=${today()} value=${finding?.deadline || ''}
        aria-label=${`${item.key} ${t('deadline')}`} onInput=${(e) => onFinding({ deadline: e.target.value })} /></label>
      ${finding?.deadline && finding.deadline < today() && html`<p class="problem small">${t('deadlinePast')}</p>`}
    </fieldset>`}
  </li>`;
}

// The record as it will print (pwa/src/paper.js, loaded on first use), full screen; its
// photos and signatures are this phone's own copies.
function RecordPreview({ draft, checklist, enterprise, shots, me, onClose }) {
  const [state, setState] = useState({});
  useEffect(() => {
    const urls = [];
    const url = (p) => urls[urls.push(URL.createObjectURL(p.blob)) - 1];
    import('../paper.js')
      .then(async ({ recordContext, renderPaper }) => renderPaper(await recordContext({
        draft, checklist, enterprise, team: teamOf(draft, me), shots, url, now: new Date().toISOString() })))
      .then((paper) => setState({ paper }), (error) => setState({ error }));
    return () => urls.forEach((u) => URL.revokeObjectURL(u));
  }, []);
  return html`<div class="paper-preview" role="dialog" aria-modal="true" aria-label=${t('previewRecord')}>
    <div class="paper-bar"><strong>${t('previewRecord')}</strong>
      <button class="viewer-close" onClick=${onClose}>✕ ${t('closePreview')}</button></div>
    <p class="small">${t('previewHint')}</p>
    <${Problem} error=${state.error} />
    ${state.paper ? html`<iframe class="paper" title=${t('previewRecord')} sandbox="allow-same-origin" srcdoc=${state.paper}></iframe>`
      : !state.error && html`<p class="muted">${t('loading')}</p>`}
  </div>`;
}

// Before the irreversible step: what is about to be filed, in a few lines.
function ConfirmSubmit({ draft, checklist, shots, team, onConfirm, onCancel }) {
  const [busy, setBusy] = useState(false);
  const answers = answersOf(draft, checklist, shots);
  const e = draft.signatures.enterprise;
  const signers = [...draft.plan.team.map((member) => team[member].name), e.refused ? t('summaryRefused')(e.name.trim()) : e.name.trim()];
  const confirm = () => {
    setBusy(true);
    onConfirm();
  };
  return html`<div class="plan-sheet" role="dialog" aria-modal="true" aria-label=${t('confirmTitle')}>
    <div class="plan-sheet-body" data-testid="submit-summary">
      <h2>${t('confirmTitle')}</h2>
      <p>${t('confirmSummary')}</p>
      <ul class="plain">
        <li>${t('summaryAnswered')(answers.length, checklist.sections.flatMap((s) => s.items).length)}</li>
        <li>${t('summaryFindings')(findingsOf(draft, answers).length)}</li>
        <li>${t('summaryPhotos')(shots.filter((p) => p.category !== 'signature').length)}</li>
        ${draft.notices.length > 0 && html`<li>${t('summaryNotices')(draft.notices.length)}</li>`}
        <li>${t('summarySignatures')(signers.join('、'))}</li>
        <li>${t('conclusionTitle')}：${t('conclusions')[conclusionOf(draft, checklist, shots)]}</li>
      </ul>
      <button class="primary" disabled=${busy} onClick=${confirm}>${t('confirmSubmit')}</button>
      <button class="secondary" disabled=${busy} onClick=${onCancel}>${t('backToVisit')}</button>
    </div></div>`;
}

// ---------------------------------------------------------------- the visit

async function loadVisit(id, me) {
  let draft = await drafts.get(id);
  if (!draft) {
    const visit = (await cachedApi(`/api/visits/${id}`)).data;
    if (visit.status !== 'planned') return { filed: true };
    rememberMembers(visit.members);
    const enterprise = (await cachedApi(`/api/enterprises/${visit.enterprise_id}`)).data;
    const { enterprise_id, checklist_id, visit_type, planned_date, team } = visit;
    draft = newDraft(me, enterprise, { id, enterprise_id, checklist_id, visit_type, planned_date, team }, true);
  }
  const eid = draft.enterprise.id;
  const optional = (path) => cachedApi(path).then((r) => r.data).catch(() => []);
  const [enterprise, checklist, templates, notices, findings, shots] = await Promise.all([
    cachedApi(`/api/enterprises/${eid}`).then((r) => r.data), checklistById(draft.plan.checklist_id),
    optional('/api/notice-templates'), optional(`/api/enterprises/${eid}/notices`), optional(`/api/enterprises/${eid}/findings`),
    photos.ofVisit(id),
  ]);
  return { draft, enterprise, checklist, templates, notices, findings, shots };
}

export function Visit({ params: [id], me }) {
  const [ctx, setCtx] = useState(null);
  const [error, setError] = useState(null);
  const [draft, setDraft] = useState(null);
  const [shots, setShots] = useState([]);
  const [choosing, setChoosing] = useState(null); // the control point whose notice template is being chosen
  const [tried, setTried] = useState(false);
  const [preview, setPreview] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const latest = useRef(null); // the draft as last saved: async steps (photos, GPS) build on it, not on a stale render
  const [refusals, setRefusals] = useState([]); // this visit's requests the server refused
  useEffect(() => subscribe(({ ops }) => setRefusals(ops.filter((op) => op.visit === id && op.status === 'failed'))), [id]);

  useEffect(() => {
    loadVisit(id, me).then((loaded) => {
      setCtx(loaded);
      latest.current = loaded.draft || null;
      setDraft(latest.current);
      setShots(loaded.shots || []);
    }).catch((e) => (e instanceof ApiError && e.status === 401 ? signInAgain() : setError(loadError(e))));
  }, [id]);

  if (error) return html`<main><${Problem} error=${error} /></main>`;
  if (!ctx) return html`<main><p class="muted">${t('loading')}</p></main>`;
  if (ctx.filed) return html`<${VisitRecord} params=${[id]} />`;

  const { enterprise, checklist, templates, notices, findings } = ctx;
  const locked = draft.status !== 'draft';
  const save = (change) => {
    const base = latest.current;
    const next = { ...base, ...(typeof change === 'function' ? change(base) : change) };
    latest.current = next;
    setDraft(next);
    drafts.put(next);
  };
  const photo = async (file, attrs) => {
    const p = await addPhoto(draft, file, attrs);
    setShots((old) => [...old, p]);
    return p;
  };
  const removePhoto = async (p) => {
    await photos.remove(p.id);
    setShots((old) => old.filter((o) => o.id !== p.id));
  };
  const caption = async (p, words) => { // sent as the upload's caption
    const next = { ...p, caption: words };
    await photos.put(next);
    setShots((old) => old.map((o) => (o.id === p.id ? next : o)));
  };
  const start = () => {
    save({ started_at: new Date().toISOString() });
    navigator.geolocation?.getCurrentPosition(
      (pos) => save({ latitude: pos.coords.latitude, longitude: pos.coords.longitude }),
      () => null, { enableHighAccuracy: true, timeout: 15000, maximumAge: 300000 });
  };
  const answer = (key, value) => save((d) => ({
    answers: { ...d.answers, [key]: value },
    findings: value.result === 'fail' && !d.findings[key]
      ? { ...d.findings, [key]: { id: newId(), description: '', deadline: '' } } : d.findings,
  }));
  const signer = (key, change) => save((d) => ({ signatures: { ...d.signatures, [key]: { ...d.signatures[key], ...change } } }));
  const sign = async (key, file) => {
    const old = latest.current.signatures[key].photo;
    const p = await photo(file, { category: 'signature', signer: key });
    if (old) await removePhoto({ id: old });
    signer(key, { photo: p.id });
  };
  const items = checklist.sections.flatMap((s) => s.items);
  const todo = problems(draft, checklist, shots);
  const ruled = assessDraft(draft, checklist, shots);
  const unanswered = items.filter((i) => !draft.answers[i.key]?.result && !draft.answers[i.key]?.choice
    && !draft.answers[i.key]?.text && (draft.answers[i.key]?.number ?? '') === '').length;
  const submit = () => {
    setTried(true);
    if (todo.length === 0) setConfirming(true);
  };
  const send = async () => {
    await submitDraft(latest.current, checklist, me);
    navigate('/outbox');
  };
  const team = teamOf(draft, me);
  const byId = Object.fromEntries(shots.map((p) => [p.id, p]));
  const currentNotice = Object.fromEntries(notices.filter((n) => n.status === 'current').map((n) => [n.control_point_id, n]));
  const open = findings.filter((f) => f.status === 'open');

  return html`<main class="visit">
    <h1>${enterprise.name}</h1>
    <p class="muted">${t('visit_types')[draft.plan.visit_type]} · ${checklist.title} v${checklist.version} · ${formatDate(draft.plan.planned_date)}</p>
    ${locked && html`<p class="offline-note" role="status">${t('submitted')}</p>`}
    ${locked && refusals.length > 0 && html`<div class="problem" role="alert" data-testid="refusals">${t('visitRefused')}
      <ul>${refusals.map((op) => html`<li key=${op.id}>${op.kind === 'media' ? t(op.video ? 'takeVideo' : 'takePhoto') : t('visit')}：${reasonWords(op.error)?.join(' ')}</li>`)}</ul>
      ${refusals.some((op) => op.kind !== 'media') && html`<button class="secondary" onClick=${async () => {
        await reopen(id);
        save({ status: 'draft' });
      }}>${t('reopenToCorrect')}</button>`}
    </div>`}
    ${!draft.started_at ? html`<button class="primary" onClick=${start}>${t('start')}</button>` : html`
      <p class="muted">${t('startedAt')(timeOf(draft.started_at))} ·
        ${draft.latitude !== null ? t('gpsAt')(draft.latitude, draft.longitude) : t('gpsNone')}</p>`}
    <${EarlierFindings} open=${open} draft=${draft} shots=${shots} locked=${locked} save=${save} onPhoto=${photo} onRemovePhoto=${removePhoto} />
    ${draft.started_at && html`<fieldset disabled=${locked} class="visit-body">
      <${Coverage} ruled=${ruled} />
      ${checklist.sections.map((section) => html`<section key=${section.title}>
        <h2>${section.title}</h2>
        <ol class="items">${section.items.map((item) => html`<${Item} key=${item.key} item=${item} answer=${draft.answers[item.key]}
          finding=${draft.findings[item.key]} shots=${shots} needsReason=${!!checklist.rules?.na_needs_reason}
          onAnswer=${(v) => answer(item.key, v)}
          onFinding=${(c) => save((d) => ({ findings: { ...d.findings, [item.key]: { ...d.findings[item.key], ...c } } }))}
          onPhoto=${(file) => photo(file, { category: 'evidence', item: item.key })} onRemovePhoto=${removePhoto}
          onCaption=${caption} />`)}</ol>
      </section>`)}

      <h2>${t('controlPointsVisit')}</h2>
      <ol class="items">${enterprise.control_points.map((point) => {
        const posted = draft.notices.find((n) => n.control_point_id === point.id);
        const fitting = templates.filter((tpl) => tpl.control_point_kind === 'other' || tpl.control_point_kind === point.kind);
        const pointShots = shots.filter((p) => p.control_point_id === point.id && p.category === 'premises');
        const noticeShot = posted && shots.find((p) => p.notice === posted.id);
        return html`<li key=${point.id} class="item point" data-point=${point.name}>
          <p class="item-text">${point.name} <span class="muted">${point.location}</span></p>
          ${currentNotice[point.id] && html`<p class="muted small">${t('currentNotice')(currentNotice[point.id].code)}</p>`}
          <div class="photos">
            ${pointShots.map((p) => html`<${Thumb} key=${p.id} photo=${p} onRemove=${() => removePhoto(p)}
              onCaption=${(c) => caption(p, c)} />`)}
            <${PhotoButton} label=${t('pointPhoto')} onFile=${(file) => photo(file, { category: 'premises', control_point_id: point.id })} />
          </div>
          ${posted ? html`<div class="notice-draft">
              <strong>${t('noticeToPost')}：${templates.find((tpl) => tpl.id === posted.template_id)?.title}</strong>
              <div class="photos">
                ${noticeShot ? html`<${Thumb} photo=${noticeShot} onRemove=${() => removePhoto(noticeShot)}
                    onCaption=${(c) => caption(noticeShot, c)} />`
                  : html`<${PhotoButton} label=${t('noticePhoto')} testid="notice-photo"
                      onFile=${(file) => photo(file, { category: 'notice', control_point_id: point.id, notice: posted.id })} />`}
              </div>
              <button class="link" onClick=${async () => {
                if (noticeShot) await removePhoto(noticeShot);
                save((d) => ({ notices: d.notices.filter((n) => n.id !== posted.id) }));
              }}>${t('remove')}</button>
            </div>`
            : choosing === point.id ? html`<${TemplateChooser} templates=${fitting} onCancel=${() => setChoosing(null)}
                onChoose=${(tpl) => {
                  save((d) => ({ notices: [...d.notices, { id: newId(), control_point_id: point.id, template_id: tpl.id }] }));
                  setChoosing(null);
                }} />`
            : html`<button class="secondary" onClick=${() => setChoosing(point.id)}>${t('postNotice')}</button>`}
        </li>`;
      })}</ol>

      <h2>${t('signatures')}</h2>
      ${draft.plan.team.map((member) => html`<div key=${member} class="signature" data-signer=${member === me.id ? 'me' : 'colleague'}>
        <p class="signer-name">${t('inspectorSigns')}：<strong>${team[member].name}</strong>
          ${team[member].certificate_no && html` <span class="muted">${t('memberCertificate')(team[member].certificate_no)}</span>`}</p>
        <${SignaturePad} photo=${byId[draft.signatures[member].photo]} label=${`${t('signHere')} ${team[member].name}`}
          onSigned=${(file) => sign(member, file)} />
      </div>`)}
      <button class="secondary" onClick=${() => setPreview(true)}>${DOCUMENT} ${t('previewRecord')}</button>
      ${preview && html`<${RecordPreview} draft=${latest.current} checklist=${checklist} enterprise=${enterprise} shots=${shots} me=${me}
        onClose=${() => setPreview(false)} />`}
      <div class="signature" data-signer="enterprise">
        <label>${t('enterpriseSigns')} <input value=${draft.signatures.enterprise?.name || ''} placeholder=${t('signerName')}
          aria-label=${`${t('enterpriseSigns')} ${t('signerName')}`} onInput=${(e) => signer('enterprise', { name: e.target.value })} /></label>
        <label class="check"><input type="checkbox" checked=${!!draft.signatures.enterprise?.refused}
          onChange=${(e) => signer('enterprise', { refused: e.target.checked })} /> ${t('refuses')}</label>
        ${draft.signatures.enterprise?.refused
          ? html`<textarea rows="2" placeholder=${t('witnessNote')} aria-label=${t('witnessNote')}
              value=${draft.signatures.enterprise?.witness_note || ''} onInput=${(e) => signer('enterprise', { witness_note: e.target.value })}></textarea>`
          : html`<${SignaturePad} photo=${byId[draft.signatures.enterprise?.photo]} label=${t('signHere')}
              onSigned=${(file) => sign('enterprise', file)} />`}
      </div>

      <h2>${t('conclusionTitle')}</h2>
      ${ruled.conclusion ? html`<p class="lead" role="status" data-testid="conclusion"><strong>${t('conclusions')[ruled.conclusion]}</strong></p>
        <p class="muted small">${t('ruledBy')(ruleText(checklist.rules.conclusion[ruled.line]))}</p>`
      : html`<div class="choices three" data-testid="conclusion-choices">
        ${['pass', 'pass_with_rectification', 'fail'].map((c) => html`<button class=${draft.conclusion === c ? 'answer on' : 'answer'}
          aria-pressed=${draft.conclusion === c} onClick=${() => save({ conclusion: c })}>${t('conclusions')[c]}</button>`)}
      </div>`}
      <${Coverage} ruled=${ruled} />
      ${unanswered > 0 && html`<p class="muted">${t('unanswered')(unanswered)}</p>`}
      ${tried && todo.length > 0 && html`<div class="problem" role="alert">${t('notReady')}
        <ul>${todo.map(([key, detail]) => html`<li>${t('problemText')[key]}${detail}</li>`)}</ul></div>`}
      ${!locked && html`<button class="primary" onClick=${submit}>${t('submit')}</button>`}
      ${confirming && html`<${ConfirmSubmit} draft=${latest.current} checklist=${checklist} shots=${shots} team=${team}
        onConfirm=${send} onCancel=${() => setConfirming(false)} />`}
    </fieldset>`}
  </main>`;
}

// ---------------------------------------------------------------- an unplanned visit

export function VisitNew({ params: [enterpriseId], me }) {
  const [ctx, setCtx] = useState(null);
  const [error, setError] = useState(null);
  const [choice, setChoice] = useState({ team: [], checklist: null, type: 'routine' }); // team: the colleagues chosen

  useEffect(() => {
    Promise.all([cachedApi(`/api/enterprises/${enterpriseId}`), cachedApi('/api/checklists'),
      cachedApi(OFFICERS).catch(() => ({ data: [] }))]) // without the roster: no colleague to choose, said so
      .then(([enterprise, checklists, officers]) => {
        rememberMembers(officers.data);
        setChoice((old) => ({ ...old, checklist: fittingChecklist(checklists.data, enterprise.data)?.id }));
        const colleagues = officers.data.filter((o) => o.id !== me.id && covers(o, enterprise.data));
        setCtx({ enterprise: enterprise.data, checklists: checklists.data, colleagues });
      })
      .catch((e) => (e instanceof ApiError && e.status === 401 ? signInAgain() : setError(loadError(e))));
  }, [enterpriseId]);

  if (error) return html`<main><${Problem} error=${error} /></main>`;
  if (!ctx) return html`<main><p class="muted">${t('loading')}</p></main>`;
  const { enterprise, checklists, colleagues } = ctx;
  const create = async () => {
    const plan = { id: newId(), enterprise_id: enterprise.id, checklist_id: choice.checklist, visit_type: choice.type,
                   planned_date: today(), team: [me.id, ...choice.team] };
    await drafts.put(newDraft(me, enterprise, plan, false));
    navigate(`/visits/${plan.id}`);
  };
  return html`<main>
    <h1>${t('newVisit')}</h1>
    <p class="lead">${enterprise.name}</p>
    <${VisitChoices} checklists=${checklists} officers=${colleagues} value=${choice} label=${t('team')} hint=${t('teamHint')}
      empty=${t('noColleagues')} onChange=${(change) => setChoice({ ...choice, ...change })} />
    <button class="primary" disabled=${choice.team.length === 0 || !choice.checklist} onClick=${create}>${t('createVisit')}</button>
  </main>`;
}
