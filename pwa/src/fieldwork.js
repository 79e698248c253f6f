// The inspector's field work as data: what "today" keeps for offline use, visit drafts,
// and turning a finished draft into the outbox's requests.
import { ApiError } from './api.js';
import { cachedApi, drafts, enqueue, photos, userKey } from './outbox.js';
import { assess } from './rules.js';
import { today } from './ui.js';

export const newId = () => crypto.randomUUID();

const addDays = (iso, days) => {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

// The inspector's planned visits up to a week ahead (overdue ones included), and the
// enterprises of their jurisdiction that are overdue or due within 30 days.
export const todayPaths = () => ({
  visits: `/api/visits?mine=true&status=planned&ascending=true&limit=100&to=${addDays(today(), 7)}`,
  overdue: '/api/enterprises?due=overdue&limit=30',
  due: '/api/enterprises?due=due&limit=30',
});

export const dossierPaths = (enterpriseId) => [
  `/api/enterprises/${enterpriseId}`, `/api/enterprises/${enterpriseId}/findings`, `/api/enterprises/${enterpriseId}/notices`,
];

// The newest version of each checklist (the list holds every published version, oldest first).
export const newestChecklists = (list) => Object.values(Object.fromEntries(
  [...list].sort((a, b) => a.version - b.version).map((c) => [c.code, c])));

// The checklist an enterprise of this category is inspected with by default: the newest
// version of its template, else the first checklist.
const CHECKLIST_OF = { food_production: 'food-routine', special_equipment: 'special-equipment',
  industrial_products: 'industrial-routine', food_related_products: 'industrial-routine' };
export function fittingChecklist(list, enterprise) {
  const newest = newestChecklists(list);
  return newest.find((c) => c.code === CHECKLIST_OF[enterprise?.category]) || newest[0];
}

// The officers a visit's team may name (GET /api/officers: the jurisdiction's active
// inspectors and supervisors), kept for offline use; `covers`: whether an officer's
// jurisdiction includes the enterprise, as the server checks the team.
export const OFFICERS = '/api/officers';
export const covers = (officer, enterprise) => officer.region_code === enterprise[`${officer.region_level}_code`];

// A checklist version by id: its own answer, else (offline, not kept by itself) from the
// kept list of every version.
export async function checklistById(id) {
  try {
    return (await cachedApi(`/api/checklists/${id}`)).data;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const found = (await cachedApi('/api/checklists')).data.find((c) => c.id === id);
    if (!found) throw error;
    return found;
  }
}

// Keep, for offline use, what a visit needs: each enterprise's dossier summary, open
// findings and current notices, each planned visit and its pinned checklist version, the
// published checklists (the newest of each, for unplanned visits) and the notice
// templates. Answers the paths that could not be kept (empty: all is on the phone).
export async function keepForOffline(visits, enterprises) {
  const missing = [];
  const keep = (path) => cachedApi(path).then((r) => r.data, () => {
    missing.push(path);
    return null;
  });
  const paths = new Set(['/api/notice-templates']);
  rememberMembers(await keep(OFFICERS));
  for (const c of newestChecklists((await keep('/api/checklists')) || [])) paths.add(`/api/checklists/${c.id}`);
  for (const v of visits) {
    rememberMembers(v.members);
    paths.add(`/api/visits/${v.id}`);
    paths.add(`/api/checklists/${v.checklist_id}`);
    dossierPaths(v.enterprise_id).forEach((p) => paths.add(p));
  }
  for (const e of enterprises) dossierPaths(e.id).forEach((p) => paths.add(p));
  const queue = [...paths];
  const worker = async () => {
    while (queue.length) await keep(queue.shift());
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return missing;
}

// The team as its record prints it and its members sign: each member's name and
// enforcement certificate number (执法证号), kept on the phone from the roster and the
// visits the server sends (their `members`) and the signed-in user (a draft made before
// the roster was kept has the names typed at its signatures).
const kept = (name) => JSON.parse(localStorage.getItem(userKey(name)) || '{}');
export function rememberMembers(members) {
  if (!members?.length) return;
  const roster = kept('roster');
  for (const m of members) roster[m.id] = { name: m.display_name, certificate_no: m.certificate_no || '' };
  localStorage.setItem(userKey('roster'), JSON.stringify(roster));
}

export function teamOf(draft, me) {
  const roster = kept('roster');
  return Object.fromEntries(draft.plan.team.map((id) => {
    const known = roster[id] || (id === me.id ? { name: me.display_name, certificate_no: me.certificate_no } : {});
    return [id, { name: known.name || draft.signatures[id]?.name?.trim() || '', certificate_no: known.certificate_no || '' }];
  }));
}

export function newDraft(me, enterprise, plan, planned) {
  return {
    id: plan.id, user: me.id, status: 'draft', planned, enterprise: { id: enterprise.id, name: enterprise.name },
    plan, started_at: null, latitude: null, longitude: null, answers: {}, findings: {}, notices: [], conclusion: null,
    signatures: {
      ...Object.fromEntries(plan.team.map((u) => [u, { photo: null }])),
      enterprise: { name: '', photo: null, refused: false, witness_note: '' },
    },
  };
}

export const isVideoShot = (p) => !!p.type?.startsWith('video/');

// A photo or a video, kept on the phone (IndexedDB) until its visit is filed; a video
// keeps its length (seconds; null when this browser cannot read it) for the visit and the
// preview of its record.
export async function addPhoto(draft, file, attrs) {
  const photo = {
    id: newId(), visit: draft.id, blob: file, name: file.name || 'photo.jpg', type: file.type, size: file.size,
    category: 'evidence', item: null, control_point_id: null, notice: null, signer: null,
    captured_at: new Date().toISOString(), latitude: draft.latitude, longitude: draft.longitude,
    duration: isVideoShot(file) ? await durationOf(file) : null, ...attrs,
  };
  await photos.put(photo);
  return photo;
}

// A video file's length in seconds, read by the browser from its metadata (null when it
// cannot: a codec it does not play, or no answer within 5 s).
function durationOf(file) {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    const url = URL.createObjectURL(file);
    const done = (seconds) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      video.removeAttribute('src');
      resolve(Number.isFinite(seconds) ? seconds : null);
    };
    const timer = setTimeout(() => done(null), 5000);
    video.preload = 'metadata';
    video.onloadedmetadata = () => done(video.duration);
    video.onerror = () => done(null);
    video.src = url;
  });
}

// What still stops a draft from being filed, as the server would say it: [problem key, detail].
export function problems(draft, checklist, shots) {
  const found = [];
  if (!draft.started_at) found.push(['notStarted', '']);
  for (const item of checklist.sections.flatMap((s) => s.items)) {
    const answer = draft.answers[item.key];
    if (answer?.result === 'fail' && item.photo_required_on_fail && !shots.some((p) => p.item === item.key)) {
      found.push(['photoRequired', item.key]);
    }
    const deadline = draft.findings[item.key]?.deadline;
    if (answer?.result === 'fail' && deadline && deadline < today()) found.push(['deadlinePast', item.key]);
  }
  const ruled = assessDraft(draft, checklist, shots);
  for (const key of ruled.na_without_reason) found.push(['naReason', key]);
  const { examined, required } = ruled;
  if (required && examined.key_items < required.key_items) found.push(['keyItems', ` ${examined.key_items}/${required.key_items}`]);
  if (required && examined.items < required.items) found.push(['allItems', ` ${examined.items}/${required.items}`]);
  if (draft.plan.team.some((member) => !draft.signatures[member]?.photo)) found.push(['inspectorSignature', '']);
  const e = draft.signatures.enterprise;
  if (!e?.name?.trim() || (e.refused ? !e.witness_note?.trim() : !e.photo)) found.push(['enterpriseSignature', '']);
  if (!(ruled.conclusion ?? draft.conclusion)) found.push(['noConclusion', '']);
  for (const v of verificationsOf(draft)) {
    if (v.outcome === 'carried_on' && (!v.reason || !v.deadline || v.deadline < today())) found.push(['verification', '']);
  }
  return found;
}

const answered = (a) => a && (a.result || a.number !== null && a.number !== undefined && a.number !== '' || a.text || a.choice);

// The answers and findings as the visit sends them (and the preview of its record prints them).
export function answersOf(draft, checklist, shots) {
  return checklist.sections.flatMap((s) => s.items).filter((item) => answered(draft.answers[item.key])).map((item) => {
    const a = draft.answers[item.key];
    const out = { item: item.key, note: (a.note || '').trim(), media: shots.filter((p) => p.item === item.key).map((p) => p.id) };
    if (a.result) out.result = a.result;
    if (a.number !== null && a.number !== undefined && a.number !== '') out.number = Number(a.number);
    if (a.text) out.text = a.text.trim();
    if (a.choice) out.choice = a.choice;
    return out;
  });
}

// The answers as the pinned version's rules see them (rules.js: examined and required
// counts, 合理缺项 without a reason, the conclusion its rule gives).
export const assessDraft = (draft, checklist, shots) => assess(checklist, draft.plan.visit_type, answersOf(draft, checklist, shots));

// The visit's conclusion: the version's rule gives it when it has one, else the team chooses.
export const conclusionOf = (draft, checklist, shots) => assessDraft(draft, checklist, shots).conclusion ?? draft.conclusion;

export const findingsOf = (draft, answers) => answers.filter((a) => a.result === 'fail').map((a) => {
  const f = draft.findings[a.item] || {};
  return { id: f.id, item: a.item, description: (f.description || a.note || '').trim(), deadline: f.deadline || null };
});

// The outbox's request that uploads a photo kept on the phone (it names its visit, and the
// returned upload it retakes, if any).
const mediaOp = (p, me, enterprise, deps) => ({
  id: p.id, kind: 'media', user: me.id, deps, photo: p.id, size: p.size, visit: p.visit,
  label: enterprise.name, category: p.category, video: isVideoShot(p),
  fields: {
    id: p.id, enterprise_id: enterprise.id, category: p.category, visit_id: p.visit, caption: p.caption || null,
    control_point_id: p.control_point_id, captured_at: p.captured_at, latitude: p.latitude, longitude: p.longitude,
    replaces_id: p.replaces,
  },
});

// A retake of a returned upload (`returned`: its record), queued like a visit's photos: it
// goes up when there is signal, filed in the returned one's visit, item and control point.
export async function queueRetake(me, returned, file) {
  const photo = await addPhoto({ id: returned.visit_id, latitude: null, longitude: null }, file, {
    category: returned.category, control_point_id: returned.control_point_id, replaces: returned.id,
  });
  await enqueue([mediaOp(photo, me, { id: returned.enterprise_id, name: returned.enterprise_name }, [])]);
  return photo;
}

// File a finished draft: (if planned on the phone) the plan, then its photos, which name
// the visit and so wait for it to exist, then the visit as one batch, then its notices —
// queued together with the draft marked as sent.
export async function submitDraft(draft, checklist, me) {
  const shots = await photos.ofVisit(draft.id);
  const planOp = draft.planned ? null : {
    id: `plan-${draft.id}`, kind: 'plan', user: me.id, deps: [], path: '/api/visits', body: draft.plan,
    visit: draft.id, label: draft.enterprise.name,
  };
  const mediaOps = shots.filter((p) => !p.sent).map((p) => mediaOp(p, me, draft.enterprise, planOp ? [planOp.id] : []));
  const ops = planOp ? [planOp, ...mediaOps] : [...mediaOps];
  const visitDeps = mediaOps.filter((op) => op.category !== 'notice').map((op) => op.id);
  if (planOp) visitDeps.push(planOp.id);
  const answers = answersOf(draft, checklist, shots);
  const findings = findingsOf(draft, answers);
  const team = teamOf(draft, me);
  const signatures = draft.plan.team.map((member) => ({
    signer: 'inspector', user_id: member, name: team[member].name, media_id: draft.signatures[member].photo,
  }));
  const e = draft.signatures.enterprise;
  signatures.push(e.refused
    ? { signer: 'enterprise', name: e.name.trim(), refused: true, witness_note: e.witness_note.trim() }
    : { signer: 'enterprise', name: e.name.trim(), media_id: e.photo });
  ops.push({
    id: draft.id, kind: 'visit', user: me.id, deps: visitDeps, visit: draft.id, label: draft.enterprise.name,
    path: '/api/visits/submissions',
    body: {
      visit: draft.plan, started_at: draft.started_at, start_latitude: draft.latitude, start_longitude: draft.longitude,
      answers, findings, signatures, conclusion: conclusionOf(draft, checklist, shots),
      verifications: verificationsOf(draft),
    },
  });
  for (const n of draft.notices) {
    const photo = shots.find((p) => p.notice === n.id);
    ops.push({
      id: n.id, kind: 'notice', user: me.id, deps: [draft.id, ...(photo ? [photo.id] : [])], visit: draft.id,
      label: draft.enterprise.name, path: '/api/notices',
      body: { id: n.id, visit_id: draft.id, control_point_id: n.control_point_id, template_id: n.template_id,
              photo_id: photo ? photo.id : null },
    });
  }
  await enqueue(ops, { ...draft, status: 'queued' });
}

// A follow-up's verdicts on the enterprise's earlier open findings (draft.verifications, by
// finding id), as the visit sends them.
export const verificationsOf = (draft) => Object.entries(draft.verifications || {}).filter(([, v]) => v.outcome).map(
  ([id, v]) => ({
    finding_id: id, outcome: v.outcome, reason: (v.reason || '').trim(), media_id: v.photo || null,
    ...(v.outcome === 'carried_on' ? { deadline: v.deadline || null } : {}),
  }));

export const localDrafts = async (me) => (await drafts.all()).filter((d) => d.user === me.id);
