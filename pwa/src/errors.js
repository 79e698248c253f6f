// Errors as a person reads them, in the interface's language and with a way forward: every
// code the server answers (backend/errors.py: `code` and `params` beside its English
// sentence) and the browser's own failures (no network, a passkey ceremony that failed).
// In English the server's own sentence is said (it carries the values); EN below holds the
// English for what the server does not say in words (its framework's and body validation's
// refusals) and for the browser's failures. tests/api/test_error_codes.py fails when a code
// the server may answer has no Chinese here, or a text here answers no code.
import { lang, t } from './i18n.js';

const list = (values) => (Array.isArray(values) ? values.join('、') : values ?? '');
// A record's state as the verb after 已 (已通过, 已撤除…).
const status = (s) => ({
  planned: '列入计划', submitted: '提交', accepted: '通过', returned: '退回', current: '张贴', replaced: '更换', removed: '撤除',
}[s] || s);
const what = (w) => ({ control_points: '关键控制点', licences: '许可证', contacts: '联系人' }[w] || w);

const ZH = {
  // Litestar's own refusals and body validation (backend/app.py, backend/fields.py)
  body_malformed: '发送的数据格式不完整，请重试；如仍不行，请刷新页面。',
  body_too_large: '发送的内容太大。',
  not_found: '找不到这条记录，它可能已被删除或不在您的辖区内。',
  method_not_allowed: '此操作不被支持，请刷新页面后重试。',
  sign_in_required: '登录已失效，请重新用通行密钥登录。',
  forbidden: '您没有权限进行此操作。',
  role_forbidden: '您的角色无权进行此操作；如有需要，请联系管理员。',
  no_access_rule: '此功能暂未开放。',
  csrf_failed: '页面已过期，请刷新后重试。',
  tus_version: '上传方式不被支持，请刷新页面后重新上传。',
  media_type_unsupported: '发送的内容类型不被支持。',
  request_refused: '请求被拒绝，请刷新页面后重试。',
  server_error: '服务器出错了，请稍后再试；如反复出现，请联系管理员。',
  store_unavailable: '文件存储暂时无法连接，请几秒钟后再试。',
  database_unavailable: '数据库暂时无法连接，请几秒钟后再试。',
  saved_meanwhile: '这条记录刚刚被别人修改过，请刷新后再试。',
  variant_pending: '预览图正在生成，请稍后再看。',
  control_characters: '不能包含控制字符，请重新输入。',
  region_code_format: '应为 6 位行政区划代码。',
  phone_format: '电话号码只能包含数字、空格和 + - ( )。',
  instant_needs_zone: '时间需带时区，例如 2026-11-24T09:30:00+08:00。',
  date_out_of_era: (p) => `日期应在 ${p.earliest} 至 ${p.latest} 之间。`,
  value_too_large: (p) => ({ text: `最多 ${p.bound} 个字。`, list: `最多 ${p.bound} 项。` }[p.kind] || `不能大于 ${p.bound}。`),
  value_too_small: (p) => ({ text: `至少 ${p.bound} 个字。`, list: `至少 ${p.bound} 项。` }[p.kind] || `不能小于 ${p.bound}。`),
  field_unknown: (p) => `无法识别的字段「${p.name}」，请刷新页面后重试。`,
  field_missing: (p) => `缺少必填项「${p.name}」。`,
  wrong_type: '填写的内容类型不对。',
  enum_value: (p) => `「${p.value}」不是可选的值。`,
  date_format: '日期格式不对。',
  uuid_format: '编号格式不对，请刷新页面后重试。',
  invalid_field: '填写的内容不符合要求。',
  too_many_attempts: (p) => `尝试次数过多，请 ${p.seconds} 秒后再试。`,
  // sign-in, passkeys, invitations
  ceremony_wrong_route: '请在「我的通行密钥」中添加通行密钥。',
  ceremony_not_yours: '此次验证不是由您发起的，请重新开始。',
  sign_in_attempt_unknown: '此次登录已失效，请再点一次登录。',
  sign_in_attempt_expired: '登录超过 5 分钟未完成，请再点一次登录。',
  passkey_already_registered: '此通行密钥已登记过，请直接登录。',
  passkey_not_registered: '本系统没有登记这个通行密钥。请使用登记时的手机登录，或向管理员申请新的邀请链接。',
  account_deactivated: '此账户已停用；如有疑问，请联系管理员。',
  passkey_other_user: '该通行密钥属于另一位用户，请换用您自己的通行密钥。',
  passkey_not_found: '您的通行密钥中没有这一个，请刷新页面。',
  last_passkey: '这是您唯一的通行密钥，删除后将无法登录；请先添加另一个。',
  passkey_registration_failed: '通行密钥未能登记，请重试；如仍不行，请向管理员申请新的邀请链接。',
  passkey_answer_malformed: '通行密钥的应答不完整，请重试。',
  sign_in_failed: '登录验证未通过，请重试；如仍不行，请使用登记时的手机，或向管理员申请新的邀请链接。',
  invitation_user_deactivated: '此用户在邀请发出后已被停用，请向管理员申请新的邀请链接。',
  invitation_token_missing: '请打开您收到的邀请链接完成登记。',
  invitation_invalid: '邀请链接无效，请确认链接复制完整；如仍打不开，请向管理员申请新的邀请链接。',
  invitation_used: '此邀请链接已经使用过。已登记的请直接用通行密钥登录；否则请向管理员申请新的邀请链接。',
  invitation_withdrawn: '此邀请已被撤回，请向管理员申请新的邀请链接。',
  invitation_expired: '此邀请链接已过期（有效期 72 小时），请向管理员申请新的邀请链接。',
  invitation_not_found: '您发出的邀请中没有这一个，请刷新页面。',
  invitation_enterprise_needed: '企业用户的邀请须选择所属企业，而不是辖区。',
  invitation_region_needed: '工作人员的邀请须选择辖区，而不是企业。',
  invite_role_forbidden: (p) => `${role(p.inviter_role)}不能邀请${role(p.role)}。`,
  passkey_invitation_mismatch: '新通行密钥的邀请须与该用户的角色和辖区（或企业）一致。',
  passkey_invitation_certificate: '新通行密钥沿用该用户的执法证号；如需修改，请在用户信息中修改。',
  session_not_found: '您的登录设备中没有这一个，请刷新页面。',
  // users
  user_not_found: '您的辖区内没有这位用户。',
  certificate_staff_only: '只有执法人员才有执法证号。',
  certificate_admin_only: '只有管理员可以设置执法证号。',
  user_deactivated_reactivate_first: '该用户已停用，请先启用再邀请其登记新的通行密钥。',
  user_patch_empty: '请修改是否启用或执法证号。',
  deactivate_self: '不能停用或启用自己，请让另一位管理人员操作。',
  deactivate_rank_forbidden: (p) => `${role(p.role)}不能停用或启用同级或更高级别的用户（${role(p.target_role)}），请联系管理员。`,
  last_admin: '这是最后一位在用的管理员；请先启用或邀请另一位管理员。',
  search_text_missing: '请输入要搜索的文字。',
  // regions, periods, pages
  region_missing: '请选择地区。',
  region_not_found: (p) => `您的辖区内没有代码为 ${p.code} 的地区。`,
  region_unknown: (p) => `没有代码为 ${p.code} 的地区（应为 6 位区县代码）。`,
  region_not_county: (p) => `${p.name}（${p.code}）不是区县，请选择区县。`,
  region_outside_jurisdiction: (p) => `${p.name}（${p.code}）不在您的辖区内。`,
  region_outside_bureau: (p) => `${p.region}不在${p.bureau}的辖区内。`,
  period_reversed: '结束日期早于开始日期。',
  period_too_long: '时间段最长十年。',
  cursor_damaged: '分页信息已失效，请从第一页重新开始。',
  cursor_other_sort: '排序方式已改变，请从第一页重新开始。',
  patch_empty: '请至少修改一项。',
  id_reused: '此编号已被另一条记录使用，请刷新页面后重试。',
  verification_not_follow_up: '只有跟踪复查才核实以往发现的问题，请把检查类型改为跟踪复查。',
  verification_twice: '同一个问题核实了两次，请只保留一个结论。',
  verification_not_open: '这个问题在本次检查开始时已不是该企业待整改的问题，请刷新后重新核实。',
  carried_on_reason_missing: '请写明问题未整改的原因。',
  carried_on_deadline: (p) => `未整改的问题须给出新的整改期限，不早于检查当日（${p.day}）。`,
  closed_finding_deadline: '已整改的问题不再需要整改期限。',
  retake_original_not_found: '要替换的照片不在您的辖区内或已不存在，请刷新退回列表。',
  retake_elsewhere: '重拍的照片须归入原照片所在的企业、检查和检查项。',
  retake_not_returned: '只有被退回的照片才能重拍。',
  retake_done: '这张退回的照片已经重拍过了，请刷新退回列表。',
  retake_forbidden: '只有上传者或该次检查的检查组成员可以重拍这张照片。',
  idempotency_key_mismatch: '提交的编号不一致，请刷新页面后重试。',
  too_many_rows: (p) => `超过 ${p.limit} 行，电子表格放不下。请缩小筛选范围，或下载 CSV。`,
  instant_in_future: '不能选择尚未到来的时间。',
  workday_adjustment_not_found: (p) => `${p.day} 没有调休记录。`,
  // enterprises
  enterprise_not_found: '您的辖区内没有这家企业。',
  enterprise_row_not_found: (p) => `该企业没有这条${what(p.what)}记录，请刷新页面。`,
  uscc_taken: (p) => `统一社会信用代码 ${p.uscc} 已被另一家企业登记。`,
  uscc_length: (p) => `统一社会信用代码应为 18 位，这里是 ${p.length} 位。`,
  uscc_characters: (p) => `统一社会信用代码只用数字和大写字母（不含 I、O、S、V、Z），这里有：${list(p.characters)}。`,
  uscc_region_digits: '统一社会信用代码第 3 至 8 位应为 6 位行政区划代码。',
  uscc_check_character: (p) => `校验码不对：填的是 ${p.given}，应为 ${p.expected}。请检查是否有输错的字符。`,
  licence_ends_before_start: (p) => `许可证的截止日期（${p.valid_to}）早于起始日期（${p.valid_from}）。`,
  document_not_found: '您的辖区内没有这份文书。',
  // checklists
  checklist_template_not_found: (p) => `没有检查表模板 ${p.code}。`,
  checklist_version_not_found: '没有这个检查表版本，请刷新页面。',
  coverage_key_items_too_many: (p) => `此版本只有 ${p.available} 个重点项，检查不能要求 ${p.asked} 项。`,
  coverage_items_too_many: (p) => `此版本只有 ${p.available} 个检查项，检查不能要求 ${p.asked} 项。`,
  conclusion_rule_when: '结论规则中除最后一行外每行都要有条件；最后一行不设条件，作为其余情况的结论。',
  item_key_twice: (p) => `检查项编号 ${p.key} 重复了，每项须有自己的编号。`,
  unit_number_only: '只有数值类检查项才有单位和上下限。',
  limits_reversed: (p) => `下限 ${p.min} 高于上限 ${p.max}。`,
  choices_too_few: '选择类检查项至少要有两个不同的选项。',
  choices_choice_only: '只有选择类检查项才有选项。',
  // visits
  visit_not_found: '您的辖区内没有这次检查。',
  visit_not_planned_team: '这次检查已不在计划状态，检查组不能再改。',
  submit_team_only: '只有检查组成员才能提交这次检查。',
  visit_start_in_future: '检查开始时间在未来，请检查手机的日期和时间。',
  visit_start_too_old: (p) => `检查开始于 ${p.days} 天之前，请检查手机的日期和时间，或改用纸质记录。`,
  amendment_not_submitted: '更正只能针对同一企业已提交的检查。',
  plan_visits_not_amendments: '一同计划的检查是新检查，不是更正。',
  team_member_twice: '检查组中有人被选了两次，每人只选一次。',
  team_too_small: '依法检查组至少要有两名执法人员。',
  team_not_eligible: '检查组中有人不是对该企业有管辖权的在职检查人员，请重新选择。',
  submission_plan_mismatch: '提交的内容与这次检查的计划不一致，请刷新页面后重试。',
  visit_submitted_amend: '这次检查已提交，不能再改；如需修改，请提交更正。',
  finding_id_taken: '问题编号已被另一次检查使用，请刷新页面后重试。',
  answer_item_unknown: (p) => `检查项 ${p.item} 不在所用的检查表（第 ${p.version} 版）中。`,
  answer_item_twice: (p) => `检查项 ${p.item} 回答了两次。`,
  answer_photo_missing: (p) => `检查项 ${p.item} 不合格，须拍一张证据照片。`,
  photo_not_in_dossier: '有照片还没有上传到该企业档案，请先等照片上传完成。',
  answer_result_missing: (p) => `检查项 ${p.item} 需要填写结果：合格、不合格或合理缺项。`,
  answer_number_missing: (p) => `检查项 ${p.item} 需要填写数值${p.unit ? `（${p.unit}）` : ''}。`,
  answer_choice_unknown: (p) => `检查项 ${p.item} 只能选：${list(p.choices)}。`,
  answer_text_missing: (p) => `检查项 ${p.item} 需要填写文字。`,
  na_reason_missing: (p) => `检查项 ${p.item} 标为合理缺项，请在备注中说明原因。`,
  too_few_examined: (p) => `该检查表要求至少检查 ${p.required} 个${p.what === 'key_items' ? '重点项' : '检查项'}，现在只检查了 ${p.examined} 个（合理缺项不计）。`,
  conclusion_mismatch: (p) => `按检查表的结论规则，这些结果的结论应为「${conclusion(p.expected)}」，而不是「${conclusion(p.given)}」。`,
  finding_item_not_failed: (p) => `问题须对应不合格的检查项，${p.item} 不是不合格。`,
  finding_id_twice: '问题编号重复了，请刷新页面后重试。',
  deadline_before_visit: (p) => `整改期限 ${p.deadline} 早于检查当天（${p.visit_day}），请重新选择期限。`,
  refusal_witness_missing: '只有企业代表可以拒签，并须写明见证人。',
  signature_not_image: '签名须是上传到本档案的签名图片，请重新签名。',
  signature_not_team: '检查人员的签名须来自检查组成员。',
  inspector_signatures_missing: '检查组每位检查人员都要签名。',
  representative_signature_missing: '企业代表须签名，或拒签并写明见证人。',
  return_reason_missing: '请写明退回原因，便于对方修改。',
  review_own_visit: '您是这次检查的检查组成员，须由未参加检查的人审核。',
  review_still_planned: '只有已提交的检查才能审核，这次检查还在计划中。',
  already_decided: (p) => `已${status(p.status)}，该决定不变。`,
  // rectification
  finding_not_found: '您的辖区内没有这个问题。',
  finding_closed: '这个问题已经关闭，不再作出决定。',
  follow_up_visit_missing: '以复查结案需要一次在该问题之后开始并已提交的复查；请先提交复查，或以整改材料结案。',
  evidence_missing: '请选择这一决定针对的整改材料。',
  note_missing: '请写明仍存在的问题，便于企业整改。',
  // media
  file_missing: '请附上照片或文件（文件缺失或为空）。',
  file_type_unsupported: '只接受照片（JPEG、PNG、WebP、HEIC）、视频（MP4、MOV、WebM）和 PDF 文件。',
  file_type_mismatch: '文件内容与它的类型不符，请重新选择文件。',
  file_too_large: (p) => `文件超过 ${p.mb} MB 的上限。`,
  image_too_many_pixels: '图片像素过大，不像是照片。',
  image_undecodable: '图片无法打开（可能已损坏或不完整），请重新拍摄或选择。',
  pdf_incomplete: 'PDF 不完整，可能下载或传输时被截断了。',
  pdf_encrypted: 'PDF 有密码保护，请上传没有密码的版本。',
  pdf_no_pages: 'PDF 没有页面。',
  pdf_unreadable: 'PDF 无法读取（可能已损坏）。',
  pdf_active_content: 'PDF 含有打开时可能运行的内容；请将其打印为普通 PDF 后再上传。',
  multipart_needed: '上传方式不对，请刷新页面后重新上传。',
  multipart_malformed: '上传的数据不完整，请重新上传。',
  upload_cut_off: '上传中断了，请重新上传。',
  one_file_per_upload: '每次只能上传一个文件。',
  form_field_too_long: '上传时填写的内容过长。',
  too_many_form_fields: '上传时填写的项目过多。',
  upload_sha256_missing: '上传缺少文件校验值，请刷新页面后重新上传。',
  upload_not_found: '找不到这次上传（可能已超过 24 小时），请重新上传。',
  upload_offset_mismatch: '上传进度与服务器不一致，将从服务器记录的位置继续。',
  upload_busy: '这个文件正在另一处上传，稍后会自动继续。',
  upload_complete: '这个文件已上传完成。',
  chunk_past_length: '上传的数据超出了文件大小，请重新上传。',
  chunk_checksum_mismatch: '这段数据传输出错，将重新发送。',
  upload_checksum_mismatch: '收到的文件与声明的不一致，已丢弃，请重新上传。',
  checksum_algorithm_unknown: '上传的校验方式不被支持，请刷新页面后重新上传。',
  checksum_not_base64: '上传的校验值格式不对，请重新上传。',
  chunk_type_unsupported: '上传的数据类型不对，请刷新页面后重新上传。',
  upload_metadata_not_base64: '上传的信息格式不对，请刷新页面后重新上传。',
  upload_id_filed_differently: '这个上传编号已用于归档到别处的同一文件，请刷新页面后重试。',
  enterprise_upload_category: '企业只能上传整改材料、许可证和台账。',
  capture_in_future: '拍摄时间在未来，请检查手机的日期和时间。',
  evidence_category: '针对整改通知的材料类别须为「整改」。',
  control_point_not_enterprises: '该关键控制点不属于这家企业。',
  media_not_found: '您的辖区内没有这个文件。',
  review_own_upload: '这是您上传的，须由另一位审核人员决定。',
  document_no_preview: '文书没有预览，请下载原件查看。',
  range_not_satisfiable: '请求的文件范围无效，请重新下载。',
  video_unreadable: '视频无法读取（可能已损坏或不完整）。',
  video_no_picture: '文件中没有视频画面（只有声音，或不是视频）。',
  video_codec_unsupported: (p) => `只接受 ${list(p.codecs)} 编码的视频，这个视频是 ${p.codec}。`,
  video_size_odd: (p) => `视频画面尺寸（${p.width}×${p.height}）不像是相机拍的。`,
  video_no_length: '视频没有时长（没有录到画面）。',
  video_frame_undecodable: '视频的第一帧无法解码（可能已损坏，或不是视频）。',
  // notices
  notice_not_found: '您的辖区内没有这张公示。',
  control_point_not_found: '您的辖区内没有这个关键控制点。',
  visit_closed_notice: '这次检查已通过并结束，请在新的检查中张贴公示。',
  notice_team_only: '只有检查组成员才能张贴这次检查的公示。',
  notice_template_not_found: '没有这个公示模板，请刷新页面。',
  notice_template_kind: '该模板不适用于这类关键控制点（通用模板适用于所有控制点）。',
  notice_photo_in_place: '这张公示已有张贴照片；如需替换，请张贴新的公示。',
  notice_not_current: (p) => `这张公示已${status(p.status)}，请打印该控制点的现行公示。`,
  notice_photo_not_uploaded: '张贴照片须先上传到该企业档案（类别「公示」）。',
  removal_reason_missing: '请写明撤除公示的原因，公开核验页面会显示。',
  font_missing: '服务器缺少中文字体，暂时无法生成公示；请联系管理员。',
  rectification_not_open: '该整改通知不是这家企业未结的问题。',
  visit_not_enterprises: '这次检查不属于这家企业。',
  notice_not_enterprises: '这张公示不属于这家企业。',
  notice_other_visit: '这张公示是在另一次检查中张贴的。',
  // plans
  plan_not_found: '您的辖区内没有这个计划。',
  plan_draft_not_drawn: '计划还是草稿，锁定后才会抽取。',
  plan_locked: '计划已锁定并完成抽取，不能再改（检查组只能通过重新抽取更换）。',
  pool_empty: '今天名录中没有企业在抽取范围内，请扩大地区、类别、风险等级或许可证状态。',
  window_start_past: (p) => `开始日期 ${p.start} 已过，计划只能从今天（${p.today}）开始。`,
  window_reversed: (p) => `结束日期 ${p.end} 早于开始日期 ${p.start}。`,
  plan_item_twice: '有检查事项选了两次，每项只选一次。',
  plan_category_no_item: (p) => `计划中没有适用于「${category(p.category)}」的检查事项；请添加一项，或去掉该类别。`,
  stratum_two_rules: (p) => `分层 ${p.stratum} 有两条规则，只保留一条。`,
  stratum_ratio_or_count: '每个分层填比例（0-100%）或数量，不要都填。',
  stratum_no_rule: (p) => `分层 ${p.stratum} 有 ${p.n} 家企业，但抽样没有给它比例或数量；请填一项（比例 0 表示不抽）。`,
  inspection_item_not_found: '您的辖区内没有这个检查事项。',
  plan_item_gone: '有检查事项或其检查表模板已不存在，请刷新页面。',
  sampling_draws_none: (p) => `按现在的抽样，${p.pool} 家企业中一家也抽不到，请提高比例或数量。`,
  officers_too_few: (p) => `有 ${p.count} 家企业符合条件的执法人员不足 ${p.team_size} 人（持证、有管辖权、未回避）。请为更多人员办证、复核回避，或减少检查组人数。`,
  redraw_reason_missing: '请写明重新抽取检查组的原因，原因会被记录。',
  redraw_officers_too_few: (p) => `排除原检查组和不可用人员后，只剩 ${p.left} 名符合条件的人员，检查组需要 ${p.team_size} 人。`,
  redraw_record_inconsistent: '重新抽取的记录前后不一致，请联系管理员。',
  enterprise_not_drawn: '这家企业没有在本计划中被抽中。',
  visit_team_fixed: (p) => `这次检查已${status(p.status)}，检查组不再更换。`,
  officer_not_found: '您的辖区内没有这位检查人员或局领导。',
  conflict_declare_forbidden: '检查人员只能申报自己的回避；局领导为他人申报。',
  conflict_not_found: '您的辖区内没有这条回避申报。',
  item_in_plan: '有计划用到这个检查事项，请先将它从计划中移除（已锁定的计划会保留）。',
  item_of_bureau_above: '这个检查事项属于上级单位，由上级修改。',
  // publication
  publish_not_accepted: '只有已通过审核的检查结果才能公示，还有检查未通过审核。',
  // the browser's own failures
  offline: '当前没有网络连接。已填写和已拍摄的内容保存在本设备上，联网后再试一次即可。',
  unknown: '操作没有完成，请重试；如反复出现，请刷新页面。',
  passkey_none_here: '本设备上没有可用于本系统的通行密钥，或验证被取消了。请使用当初登记通行密钥的手机登录；如果换了手机或通行密钥已删除，请向管理员申请新的邀请链接。',
  passkey_cancelled: '通行密钥验证被取消或超时。准备好后再点一次按钮即可。',
  passkey_exists: '本设备已经有您的通行密钥，请直接登录。',
  passkey_insecure: '浏览器拒绝在此网址使用通行密钥，请使用系统的正式网址（https）打开。',
  passkey_timeout: '通行密钥验证超时，请再试一次。',
  passkey_unsupported: '此浏览器不支持通行密钥，请使用最新版 Chrome、Edge 或 Safari。',
  photo_missing_here: '这张照片已不在本机（可能被浏览器清除）。',
};

// English where the server's sentence is not for people, and for the browser's failures.
const EN = {
  body_malformed: 'What was sent is incomplete; try again, or reload the page.',
  body_too_large: 'What was sent is too large.',
  not_found: 'No such record: it may have been removed, or it is outside your jurisdiction.',
  method_not_allowed: 'This is not supported; reload the page and try again.',
  sign_in_required: 'Your session has ended: sign in again with your passkey.',
  forbidden: 'You may not do this.',
  role_forbidden: 'Your role may not do this; ask an admin if you need to.',
  no_access_rule: 'This is not open yet.',
  csrf_failed: 'The page has expired: reload it and try again.',
  tus_version: 'This way of uploading is not supported; reload the page and upload again.',
  media_type_unsupported: 'The content type sent is not supported.',
  request_refused: 'The request was refused; reload the page and try again.',
  server_error: 'The server failed; try again later, and tell an admin if it keeps happening.',
  control_characters: 'Must not contain control characters.',
  region_code_format: 'Must be a 6-digit region code.',
  phone_format: 'A phone number holds only digits, spaces and + - ( ).',
  value_too_large: (p) => ({ text: `At most ${p.bound} characters.`, list: `At most ${p.bound} entries.` }[p.kind] || `At most ${p.bound}.`),
  value_too_small: (p) => ({ text: `At least ${p.bound} characters.`, list: `At least ${p.bound} entries.` }[p.kind] || `At least ${p.bound}.`),
  field_unknown: (p) => `Unknown field "${p.name}"; reload the page and try again.`,
  field_missing: (p) => `"${p.name}" is required.`,
  wrong_type: 'This value is of the wrong kind.',
  enum_value: (p) => `"${p.value}" is not one of the choices.`,
  date_format: 'The date is not in a valid format.',
  uuid_format: 'The id is not valid; reload the page and try again.',
  offline: 'You are offline. What you entered and photographed stays on this device; try again once you are online.',
  unknown: 'That did not work; try again, or reload the page.',
  passkey_none_here: 'This device has no passkey for this site, or the check was cancelled. Sign in on the phone you enrolled with; if you changed phones or removed the passkey, ask an admin for a new invitation link.',
  passkey_cancelled: 'The passkey check was cancelled or timed out. Press the button again when ready.',
  passkey_exists: 'This device already holds your passkey: sign in instead.',
  passkey_insecure: 'The browser refuses passkeys at this address: open the system at its real https address.',
  passkey_timeout: 'The passkey check timed out; try again.',
  passkey_unsupported: 'This browser cannot use passkeys. Use a recent Chrome, Edge or Safari.',
  photo_missing_here: 'This photo is no longer on this device (the browser may have cleared it).',
};

// Names the interface already has (i18n.js and its glossary), for the values a sentence uses.
const role = (r) => t('roles')?.[r] || r;
const conclusion = (c) => t('conclusions')?.[c] || c;
const category = (c) => t('categories')?.[c] || c;

// The sentence for a code in the interface's language: its Chinese or English text, else
// (in English) the server's own sentence.
export function sayCode(code, params = {}, detail = '') {
  const text = (lang === 'en' ? EN : ZH)[code];
  if (text) return typeof text === 'function' ? text(params || {}) : text;
  return (lang === 'en' && detail) || sayCode('unknown');
}

// An API answer (status, body) as a sentence: the body's code, else by status.
export function sayAnswer(status, body) {
  if (body?.code) return sayCode(body.code, body.params, body.detail);
  if (body?.detail) return body.detail; // said on this device (files.js, media.js), already in the user's language
  if (status === 0) return sayCode('offline');
  if (status >= 500) return sayCode('server_error');
  return sayCode({ 401: 'sign_in_required', 403: 'forbidden', 404: 'not_found' }[status] || 'unknown');
}

// WebAuthn's failures (a DOMException by name), for a sign-in or an enrolment.
const PASSKEY_FAILURES = {
  NotAllowedError: { signIn: 'passkey_none_here', enrol: 'passkey_cancelled' },
  AbortError: { signIn: 'passkey_cancelled', enrol: 'passkey_cancelled' },
  InvalidStateError: { signIn: 'passkey_none_here', enrol: 'passkey_exists' },
  SecurityError: { signIn: 'passkey_insecure', enrol: 'passkey_insecure' },
  NotSupportedError: { signIn: 'passkey_unsupported', enrol: 'passkey_unsupported' },
  TimeoutError: { signIn: 'passkey_timeout', enrol: 'passkey_timeout' },
};

// Any error the app meets as one sentence with a way forward: an ApiError (its code), no
// network (fetch's TypeError), a passkey ceremony's DOMException (`ceremony`: 'signIn' or
// 'enrol'), else the error's own words when it has any.
export function explain(error, ceremony = 'signIn') {
  if (!error) return '';
  if ('status' in error && 'body' in error) return sayAnswer(error.status, error.body);
  if (PASSKEY_FAILURES[error.name]) return sayCode(PASSKEY_FAILURES[error.name][ceremony]);
  const network = error instanceof TypeError && /fetch|network|load failed/i.test(error.message);
  if (network || !navigator.onLine) return sayCode('offline');
  return error.message || sayCode('unknown');
}
