import { formatDuration } from '../duration.js';
import type { UiTranslation } from './translation.js';

/**
 * tpm-doctor's messages in Japanese, written for the IT admin who runs it (the words Windows and
 * Intune use in Japanese: TPM のクリア, BitLocker 回復キー, ロックアウト). Keyed as en.ts; a test
 * keeps the two key for key. Loaded only when Japanese is chosen (catalog.ts).
 */
export const JA = {
  'verdict.nothing-read.sources': (p: { reasons: string }) =>
    `証拠をまったく読み取れませんでした: ${p.reasons}。もう一度収集してください（tpm-doctor collect、または管理者として collect-evidence.ps1 -Full）。`,
  'verdict.nothing-read.unreached': (p: { reasons: string; collectAgain: boolean }) =>
    `何も読み取れませんでした: ${p.reasons}。${p.collectAgain ? 'もう一度収集してください（tpm-doctor collect、または管理者として collect-evidence.ps1 -Full）。' : ''}`,
  'verdict.nothing-read':
    '何も読み取れませんでした。TPM（--tpm）か証拠バンドル（--evidence）を指定してください。',
  'verdict.incomplete': (p: { reasons: string }) =>
    `証拠が不完全です: ${p.reasons}。対処する前に、管理者としてもう一度収集してください（tpm-doctor collect、または管理者権限の PowerShell で collect-evidence.ps1 -Full）。`,
  'verdict.healthy': '対応は不要です。TPM は正常です。',
  'verdict.review-warnings': '変更は不要です。警告の内容を確認してください。',
  'verdict.clear-blocked': (p: { reasons: string; collectFirst: boolean }) =>
    `TPM のクリアが必要ですが、今は実行しないでください: ${p.reasons}${p.collectFirst ? ' 先に、不足している証拠を収集してください。' : ''}`,

  'diagnosis.heading': (p: { source: string }) => `診断対象: ${p.source}`,
  'diagnosis.source.evidence': (p: { origin: string }) => `証拠 ${p.origin}`,
  'diagnosis.source.nothing': 'なし',
  'diagnosis.lab': (p: { scenarios: string }) =>
    `[ラボ: 使い捨てのソフトウェア TPM、シナリオ ${p.scenarios}]`,
  'diagnosis.label.verdict': '判定',
  'diagnosis.label.next-step': '次の手順',
  'diagnosis.label.clear': 'TPM のクリア',
  'diagnosis.status.healthy': '正常',
  'diagnosis.status.warnings': '警告あり',
  'diagnosis.status.errors': '問題あり',
  'diagnosis.status.incomplete': '証拠が不足',
  'diagnosis.status.undiagnosable': '診断できません',
  'diagnosis.step.none': '対応不要',
  'diagnosis.step.wait': '待機',
  'diagnosis.step.reset-lockout': 'ロックアウトのリセット',
  'diagnosis.step.restart': '再起動',
  'diagnosis.step.update': 'ファームウェアまたは Windows の更新',
  'diagnosis.step.reconfigure': '設定の変更',
  'diagnosis.step.clear': 'TPM のクリア（ゲートあり: tpm-doctor clear）',
  'diagnosis.step.collect': '不足している証拠の収集',
  'diagnosis.clear.yes': '可',
  'diagnosis.clear.yes-detail':
    '（最後の手段）: tpm-doctor clear を実行してください。バックアップと承認を先に確認します',
  'diagnosis.clear.no': '不可',
  'diagnosis.clear.no-detail': '（今クリアするのは誤りです）:',
  'diagnosis.clear.not-needed': '不要',
  'diagnosis.severity.error': (p: { count: number }) => `エラー（${p.count}件）`,
  'diagnosis.severity.warning': (p: { count: number }) => `警告（${p.count}件）`,
  'diagnosis.severity.info': (p: { count: number }) => `情報（${p.count}件）`,
  'diagnosis.finding.why': '影響: ',
  'diagnosis.finding.fix': '対処: ',
  'diagnosis.finding.see-next-step': '上の「次の手順」を参照',
  'diagnosis.finding.destroys-keys': '（鍵が消去されます）',
  'diagnosis.no-findings': '検出事項はありません。',
  'diagnosis.could-not-read': '読み取れなかったもの',
  'diagnosis.rule-failed': (p: { rule: string; message: string }) =>
    `ルール ${p.rule} が失敗しました（tpm-doctor の不具合）: ${p.message}`,
  'diagnosis.not-known': '不明な点（判明するまで TPM のクリアは保留）',
  'diagnosis.not-understood': '読み取ったが解釈できなかった項目',
  'diagnosis.not-understood.item': (p: { file: string; message: string }) =>
    `${p.file}（読み取り済み）: ${p.message}`,
  'diagnosis.more': '検出事項ごとの根拠: --verbose　ID の説明: docs/findings.md',

  'clear.heading': (p: { uri: string }) => `TPM のクリア: ${p.uri}`,
  'clear.diagnosis': (p: {
    status: string;
    step: string;
    statusLabel: string;
    stepLabel: string;
    clearIsFix: boolean;
  }) => `診断: ${p.statusLabel}、次の手順: ${p.stepLabel}${p.clearIsFix ? '（クリアで解決します）' : ''}`,
  'clear.confirm': '\n上記の鍵が削除されます。',
  'clear.confirm-type': (p: { word: string }) => `続行するには ${p.word} と入力してください: `,
  'clear.not-confirmed': '確認されなかったため、何も変更していません。',

  'refusal.no-lockout-value':
    'この TPM にはロックアウト認証の値が設定されていません（lockoutAuthSet がクリア）。値を指定しないでください。誤った値を送ると、回復時間が経過するまでロックアウト認証がブロックされます',
  'refusal.ppi-on-lab':
    'ラボの TPM には物理プレゼンスの確認画面を出すファームウェアがありません。--method platform を使ってください',
  'refusal.resume-on-lab': 'ラボの TPM は1回のコマンドの間しか存在しないため、再開できる実行はありません',
  'refusal.unfinished-run': (p: { runs: string }) =>
    `実行 ${p.runs} が完了していません。別のクリアを始める前に、「tpm-doctor resume」で再開するか、「tpm-doctor abandon RUN-ID」で終了してください`,

  'fleet.campaign.heading': (p: { id: string; action: string; status: string }) =>
    `キャンペーン ${p.id}: ${p.action}、${p.status}`,
  'fleet.campaign.target': '対象テナント:',
  'fleet.campaign.selection': '対象デバイス:',
  'fleet.campaign.created': '作成日時:',
  'fleet.campaign.deadline': '期限:',
  'fleet.campaign.devices': 'デバイス数:',
  'fleet.campaign.device-count': (p: { total: number; done: number; open: number }) =>
    `${p.total}台（完了${p.done}台、未完了${p.open}台）`,
  'fleet.campaign.script': (p: { id: string }) => `修復スクリプトパッケージ: ${p.id}`,
  'fleet.phase.pending': '未送信',
  'fleet.phase.posting': '送信中',
  'fleet.phase.posted': '送信済み、デバイスの同期待ち',
  'fleet.phase.unconfirmed': '送信済みの可能性あり（中断）、同期待ち',
  'fleet.phase.synced': '同期済み、TPM 設定の準拠待ち',
  'fleet.phase.compliant': '準拠',
  'fleet.phase.failed': 'Graph が拒否',
  'fleet.phase.timed-out': 'タイムアウト',
  'fleet.phase.remediate-synced': '証拠を報告済み',
  'fleet.phase.clear-posted': '送信済み、クリア結果の報告待ち',
  'fleet.phase.clear-synced': 'クリアと証明が完了、再起動と準拠待ち',
  'fleet.phase.clear-failed': '拒否または失敗（TPM はクリアされていません）',
  'fleet.campaign.problems': '確認が必要なデバイス:',
  'fleet.campaign.more': (p: { count: number }) => `…ほか${p.count}台（--json ですべて表示）`,
  'fleet.campaign.stopped': (p: { id: string; command?: string }) =>
    `停止中:「${p.command ?? `tpm-doctor fleet resume ${p.id}`}」で再開できます。`,
  'fleet.campaign.abandoned': (p: { open: number }) =>
    `中止済み: 今後送信も再開もしません。未完了のデバイスは${p.open}台です。`,
  'fleet.open.followed': '追跡中',
  'fleet.open.no-longer-followed': '追跡終了',
  'fleet.open.never-posted': '今後も送信しません',
  'fleet.campaigns.none-yet': 'キャンペーンはまだありません。',
  'fleet.campaigns.created': (p: { at: string }) => `作成 ${p.at}`,
  'fleet.status.resume-options-dropped': (p: { options: string }) =>
    `注意: ストアに保存された値が正しくないため(ストアが編集された可能性があります)、再開コマンドから次のオプションを省きました: ${p.options}。分かっている場合はご自身で追加してください。`,
  'fleet.status.store': (p: { store: string }) => `ストア: ${p.store}`,
  'fleet.status.latest-triage': (p: { id: number; at: string; target: string }) =>
    `最新のトリアージ: 実行 ${p.id}（${p.at}、${p.target}）`,
  'fleet.status.no-triage': 'トリアージはまだ実行されていません（「tpm-doctor fleet triage」）。',
  'fleet.status.no-campaigns': 'キャンペーンはありません。',
  'fleet.status.compliant': (p: { compliant: string; total: number }) => `${p.compliant}/${p.total}台が準拠`,

  'run.heading': (p: { id: string; status: string }) => `実行 ${p.id}: ${p.status}`,
  'run.status.finished': '完了',
  'run.status.cleared': 'クリア済み',
  'run.status.waiting': '待機中',
  'run.status.rejected': '拒否',
  'run.status.failed': '失敗',
  'run.status.abandoned': '中止',
  'run.label.journal': 'ジャーナル',
  'run.label.receipt': '受領書',
  'run.proof.proven': '証明: クリアが実行され、必要な結果になったことを確認しました',
  'run.proof.not-proven': '証明: 確認できませんでした',
  'run.check.pass': '合格',
  'run.check.fail': '不合格',
  'inventory.hierarchy.owner': '所有者階層',
  'inventory.hierarchy.endorsement': 'エンドースメント階層',
  'inventory.hierarchy.platform': 'プラットフォーム階層',
  'inventory.hierarchy.unknown': '階層不明',
  'inventory.recreated': '（変更されないエンドースメント シードから同じものが再作成されます）',
  'inventory.nv-size': (p: { bytes: number }) => `（${p.bytes} バイト）`,

  'fleet.action.sync': '同期',
  'fleet.action.reboot': '再起動',
  'fleet.action.remediate': '修復',
  'fleet.action.clear': 'TPM のクリア',
  'fleet.state.running': '実行中',
  'fleet.state.stopped': '停止中',
  'fleet.state.finished': '完了',
  'fleet.state.abandoned': '中止済み',
  'fleet.phase-word.pending': '未送信',
  'fleet.phase-word.posting': '送信中',
  'fleet.phase-word.posted': '送信済み',
  'fleet.phase-word.unconfirmed': '送信未確認',
  'fleet.phase-word.synced': '同期済み',
  'fleet.phase-word.compliant': '準拠',
  'fleet.phase-word.failed': '失敗',
  'fleet.phase-word.timed-out': 'タイムアウト',
  'fleet.waiting.pending': '未送信',
  'fleet.waiting.posted': '送信済みですが、同期が確認できません',
  'fleet.waiting.unconfirmed': '送信が未確認で、同期が確認できません',
  'fleet.waiting.synced': '同期済みですが、TPM 設定がまだ準拠していません',
  'fleet.waiting.unfinished': '完了していません',
  'fleet.timed-out': (p: { waiting: string; deadline: string }) =>
    `キャンペーンの期限 ${p.deadline} の時点で${p.waiting}`,
  'fleet.interrupted-post':
    '送信の記録から応答までの間に中断されました。Graph が処理した可能性があるため、再送信しません',
  'fleet.open.heading': '未完了',
  'fleet.abandon.heading': '未完了',
  'fleet.progress.done': (p: { done: string; total: string }) => `${p.done}/${p.total}台完了`,
  'fleet.progress.pending': (p: { count: string }) => `未送信 ${p.count}`,
  'fleet.progress.awaiting-sync': (p: { count: string }) => `同期待ち ${p.count}`,
  'fleet.progress.synced': (p: { count: string }) => `同期済み ${p.count}`,
  'fleet.progress.compliant': (p: { count: string }) => `準拠 ${p.count}`,
  'fleet.progress.failed': (p: { count: string }) => `失敗 ${p.count}`,
  'fleet.progress.timed-out': (p: { count: string }) => `タイムアウト ${p.count}`,
  'fleet.progress.rate': (p: { rate: string }) => `毎秒 ${p.rate} 件送信`,
  'fleet.progress.posting-eta': (p: { seconds: number }) => `送信完了まで ${formatDuration(p.seconds, 'ja')}`,
  'fleet.progress.write-window': (p: { seconds: number }) =>
    `次の書き込み枠を待機中（${formatDuration(p.seconds, 'ja')}）`,
  'fleet.progress.earlier-write-window': (p: { seconds: number }) =>
    `以前の実行が残した書き込み枠を待機中（${formatDuration(p.seconds, 'ja')}）`,
  'fleet.progress.left': (p: { seconds: number }) => `残り ${formatDuration(p.seconds, 'ja')}`,
  'fleet.dry-run.campaign': (p: {
    action: string;
    devices: number;
    writes: number;
    seconds: number;
    minimumSeconds: number;
  }) =>
    `ドライ ラン: ${p.devices}台のデバイスに${p.action}を送信します。${
      p.minimumSeconds === 0
        ? `1 回の書き込み枠（${p.seconds} 秒あたり ${p.writes} 件）に収まるため、すぐに送信を開始します。`
        : `${p.seconds} 秒あたり ${p.writes} 件の書き込み制限のため、送信には少なくとも ${formatDuration(p.minimumSeconds, 'ja')} かかります。`
    }`,
  'fleet.dry-run.nothing-posted': '何も送信していません。',
  'fleet.dry-run.not-the-remedy': (p: {
    action: string;
    devices: number;
    classTitle: string;
    remedy: string;
  }) => `警告: 分類「${p.classTitle}」の ${p.devices} 台には${p.action}は対処になりません: ${p.remedy}`,
  'fleet.clear-plan.heading': (p: { selection: string; approval: string }) =>
    `ドライ ラン: TPM のクリア キャンペーン、${p.selection}。${p.approval}。`,
  'fleet.clear-plan.no-approval': 'まだ承認がありません（--approved-by NAME --ticket ID）',
  'fleet.clear-plan.approved': (p: { by: string; ticket: string }) => `承認者 ${p.by}、チケット ${p.ticket}`,
  'fleet.clear-plan.would-clear': (p: { count: number }) =>
    `${p.count}台のデバイスの TPM をクリアします（各デバイスで個別の事前チェックを通過した場合のみ）:`,
  'fleet.clear-plan.refused': (p: { count: number }) => `対象外 ${p.count}台:`,
  'fleet.clear-refusal.cleared-since-triage': (p: { campaign: string; outcome: string; run: number }) =>
    `トリアージ ${p.run} の後にキャンペーン ${p.campaign} でクリア済み（${p.outcome}）: まだクリアが必要かどうか、\`fleet triage\` をもう一度実行して確かめてください`,
  'fleet.clear-refusal.open-campaign': (p: { campaign: string; state: string; outcome: string }) =>
    `未完了のクリアキャンペーン ${p.campaign} に含まれています（${p.state}、このデバイス: ${p.outcome}）: \`fleet resume ${p.campaign}\` で完了、\`fleet abandon ${p.campaign}\` で終了します`,
  'fleet.stopping':
    '\ntpm-doctor: 停止しています。処理中の操作を記録しています（強制終了するにはもう一度 Ctrl-C）...\n',

  // The console's sentences: what its server answers in the admin's language (src/console/).
  'lab.tenant-label': 'LAB: ラボ テナント — シミュレートされたデバイス',
  'console.no-triage': (p: { tenant: string }) =>
    `ストアには ${p.tenant} の完了したトリアージがまだありません。同じ接続オプションで「tpm-doctor fleet triage」を実行してください。`,
  'console.selection.by-id': (p: { count: number }) => `ID で指定した ${p.count}台のデバイス`,
  'console.selection.triage': (p: {
    filters: string;
    classTitles: string | null;
    safetyTitles: string | null;
    others: string | null;
    run: string;
  }) =>
    `トリアージ実行 ${p.run} の${[
      p.classTitles === null ? '' : `分類「${p.classTitles}」`,
      p.safetyTitles === null ? '' : `クリアの安全性「${p.safetyTitles}」`,
      p.others === null ? '' : `条件「${p.others}」`,
    ]
      .filter((part) => part !== '')
      .join('、')}のデバイス`,
  'console.selection.latest': '最新',
  'console.triage.finished': (p: { id: string; devices: string; needingAction: string }) =>
    `トリアージ実行 ${p.id} が完了しました: ${p.devices}台、うち対応が必要 ${p.needingAction}台。`,
  'console.triage.failed': (p: { message: string }) => `トリアージに失敗しました: ${p.message}`,
  'console.page.sign-in': 'サインイン',
  'console.page.sign-in-text':
    '「tpm-doctor console」が起動時に表示したサインイン リンクを開いてください（1 回だけ使えます）。',
  'console.page.signed-in': 'サインインしました',
  'console.page.opening': 'コンソールを開いています…',
  'console.page.open-link': 'コンソールを開く',
  'console.page.sign-in-refused': 'サインインを拒否しました',
  'console.page.link-used':
    'このサインイン リンクは使用済みです（または新しいリンクが発行されています）。新しいリンクが必要な場合は、「tpm-doctor console」を実行しているターミナルで「link」と入力して Enter キーを押してください。',
  'console.page.restarted': 'コンソールが再起動されました',
  'console.page.restarted-text':
    'このブラウザーのセッションは、以前に起動した「tpm-doctor console」のものです（セッションはコンソールの停止で終了します）。再起動時に表示された新しいサインイン リンクを開くか、そのターミナルで「link」と入力して Enter キーを押し、別のリンクを表示してください。',
  'console.page.wrong-link': 'これはコンソールが表示したサインイン リンクではありません。',
  'console.page.not-found': '見つかりません',
  'console.page.no-page': 'そのページはありません。',
  'console.error.internal': '内部エラーが発生しました。コンソールの出力を確認してください。',
  'console.error.store': (p: { store: string }) =>
    `フリート ストア ${p.store} を読み取れませんでした。ストアを確認してから（理由はコンソールのターミナルに表示されています）、このページを再読み込みしてください。`,
  'console.error.session-ended':
    'コンソールが再起動されたため、このセッションは終了しました。表示された新しいサインイン リンクを開いてください（そのターミナルで「link」と入力して Enter キーを押すと、別のリンクを表示できます）。',
  'console.error.not-signed-in':
    'サインインしていません。コンソールが表示したサインイン リンクを開いてください。',
  'console.error.no-triage': 'このテナントのトリアージはまだありません。',
  'console.error.no-device': '最新のトリアージにこのデバイスはありません。',
  'console.error.no-tpm': 'このコンソールは読み取る TPM を指定せずに起動されました。',
  'console.error.read-only': 'このコンソールはテナントに接続せずに起動されたため、読み取りだけを行います。',
  'console.refuse.no-finished-triage':
    'ストアに完了したトリアージがありません。先にトリアージを実行してください。',
  'console.refuse.no-plan-id': 'キャンペーンはドライ ランから開始します。"planId" がありません。',
  'console.refuse.plan-lapsed':
    'そのドライ ランは存在しないか、有効期限が切れています。もう一度ドライ ランを実行してください。',
  'console.refuse.approval-missing':
    'TPM のクリア キャンペーンには、承認者と、その承認を記録したチケットが必要です。',
  'console.refuse.approval-text':
    "承認者とチケットに使えるのは、1～100 文字の文字、数字、空白と . , _ @ ( ) / # : + ' - だけです（各デバイスのコマンド ラインに入るためです）。",
  'console.refuse.approval-not-clear': '承認を受け付けるのは TPM のクリア キャンペーンだけです。',
  'console.refuse.not-confirmed': (p: { word: string }) =>
    `確認されていません。このキャンペーンを開始するには ${p.word} と入力してください。何も送信していません。`,
  'console.refuse.no-campaign': 'このテナントにそのキャンペーンはありません。',
  'console.refuse.not-running': 'このキャンペーンはこのコンソールでは実行されていません。',
  'console.refuse.already-running': 'このキャンペーンはすでに実行中です。',
  'console.refuse.abandoned':
    'このキャンペーンは中止済みのため、再開できません。新しいキャンペーンを開始してください。',
  'console.refuse.finished': 'このキャンペーンは完了しています。',
  'console.refuse.finished-abandon': 'このキャンペーンは完了しているため、中止するものはありません。',
  'console.refuse.triage-running': 'このコンソールではすでにトリアージを実行中です。',
  'console.refuse.no-triage-here': 'このコンソールにそのトリアージはありません。',

  // tpm-doctor status (src/cli/render/status-text.ts).
  'status.heading': (p: { uri: string }) => `TPM の状態: ${p.uri}`,
  'status.lab': '   [ラボ: 使い捨てのソフトウェア TPM、このマシンの TPM ではありません]',
  'status.yes': 'はい',
  'status.no': 'いいえ',
  'status.YES': 'はい（要注意）',
  'status.NO': 'いいえ（要注意）',
  'status.unknown': '不明',
  'status.none': 'なし',
  'status.none-parenthesised': '（なし）',
  'status.label.present': 'TPM の有無',
  'status.present.not-started': 'あり、ただし起動されていません（TPM2_Startup 未送信）',
  'status.present.unknown': '不明（TPM に接続できませんでした。下記を参照）',
  'status.label.summary': '概要',
  'status.summary': (p: {
    ready: string;
    enabled: string;
    ownerAuthSet: string;
    lockedOut: string;
    clearAllowed: string;
  }) =>
    `準備完了 ${p.ready}、有効 ${p.enabled}、所有者認証の設定 ${p.ownerAuthSet}、ロックアウト中 ${p.lockedOut}、クリアの許可 ${p.clearAllowed}`,
  'status.label.specification': '仕様',
  'status.label.manufacturer': '製造元',
  'status.label.vendor-string': 'ベンダー文字列',
  'status.label.firmware': 'ファームウェア',
  'status.label.self-test': '自己テスト',
  'status.self-test.passed': '合格',
  'status.self-test.failed': '失敗',
  'status.heading.flags': 'フラグ',
  'status.heading.dictionary-attack': '辞書攻撃対策',
  'status.label.locked-out': 'ロックアウト中',
  'status.locked-out.yes': 'はい: 辞書攻撃保護の対象の鍵は認証を拒否します',
  'status.label.failed-tries': '認証の失敗回数',
  'status.failed-tries': (p: { failed: number; max: number }) => `${p.failed} 回（上限 ${p.max} 回）`,
  'status.label.recovery': '回復',
  'status.recovery': (p: { every: string }) => `${p.every}ごとに失敗を 1 回分取り消し`,
  'status.label.lockout-retry': '再試行までの時間',
  'status.lockout-retry': (p: { after: string }) => `誤ったロックアウト認証の後、${p.after}`,
  'status.label.lockout-auth-set': 'ロックアウト認証値',
  'status.lockout-auth-set.yes': '設定済み',
  'status.lockout-auth-set.no': '未設定',
  'status.heading.pcr-banks': 'PCR バンク',
  'status.label.allocated': '割り当て',
  'status.heading.persistent': (p: { count: number }) => `永続オブジェクト（${p.count} 個）`,
  'status.heading.nv': (p: { count: number }) => `NV インデックス（${p.count} 個）`,
  'status.label.transient': '一時ハンドル',
  'status.heading.capacity': '容量',
  'status.label.persistent': '永続オブジェクト',
  'status.capacity.persistent': (p: { stored: string; room: string }) =>
    `${p.stored} 個保存済み、あと ${p.room} 個保存可能`,
  'status.label.transient-slots': '一時スロット',
  'status.capacity.transient': (p: { free: string }) => `${p.free} 個空き`,
  'status.label.nv': 'NV インデックス',
  'status.capacity.nv': (p: { defined: string }) => `${p.defined} 個定義済み`,
  'status.flags': (p: { set: string; clear: string }) => `セット: ${p.set}、クリア: ${p.clear}`,
  'status.pcr-count': (p: { count: number; ranges: string }) => `PCR ${p.count} 個（${p.ranges}）`,
  'status.ek.subject': 'サブジェクト',
  'status.ek.issuer': '発行者',
  'status.ek.valid': '有効期間',
  'status.ek.matches': 'EK との一致',
  'status.ek.valid-range': (p: { from: string; to: string }) => `${p.from} から ${p.to} まで`,
  'status.ek.not-valid-now': '  （現在は無効）',
  'status.ek.matches.yes': 'はい',
  'status.ek.matches.no': 'いいえ: この証明書は別のキーのものです',
  'status.ek.matches.unknown': '不明',
  'status.ek.source.persistent': (p: { handle: string }) => `（永続 EK ${p.handle}）`,
  'status.ek.source.computed': '（テンプレートから計算）',
  'status.ek.error': (p: { error: string }) => `エラー: ${p.error}`,
  'status.heading.ek-certificates': (p: { count: number }) => `保証キー（EK）の証明書（${p.count} 件）`,
  'status.label.none-in-nv': 'NV になし',
  'status.ek.none-in-nv': 'Intel PTT と AMD fTPM は、多くの場合オンラインで提供しています',

  'gate.check.reason.decommission':
    '目的は廃棄（譲渡、売却、OS の再インストール）です。障害は前提にしないため診断結果は参照しませんが、バックアップ、承認、ブロック要因のチェックは行います。',
  'gate.check.reason.recommended': (p: { because: string }) =>
    `診断の結果、対処の段階が「TPM のクリア」に達しており（原因: ${p.because}）、妨げになるものはありません。`,
  'gate.check.reason.why-undiagnosable': 'このデバイスについて何も読み取れませんでした',
  'gate.check.reason.why-unknown': (p: { facts: string }) =>
    `クリアの判断に必要な事実が不明です（${p.facts}）`,
  'gate.check.reason.why-blocked': (p: { findings: string }) =>
    `クリアは必要ですが、${p.findings} により実行できません`,
  'gate.check.reason.why-safer': (p: { step: string; stepLabel: string }) =>
    `より安全な次の手順（${p.stepLabel}）があります`,
  'gate.check.reason.nothing-to-repair': '修復が必要なものはありません。',
  'gate.check.reason.not-justified': (p: { why: string; todo: string }) =>
    `修復のためのクリアは妥当ではありません。${p.why}。代わりに次の対処をしてください: ${p.todo}（--purpose decommission は、デバイスを譲渡、売却、再インストールする場合にだけ使ってください。）`,
  'gate.check.backup.not-windows':
    'Windows のボリュームはありません（Windows デバイスではありません）。保護すべき BitLocker ボリュームはありません。',
  'gate.check.rights.not-windows':
    'Windows デバイスではなく、このユーザーはすでに TPM にアクセスできています（プローブで読み取り済み）。Windows の管理者権限は関係ありません。',
  'gate.check.rights.lab-platform-disabled':
    'このラボ TPM はプラットフォーム階層が無効です（次の TPM リセットまで phEnable がクリア）。ラボ TPM の電源を入れ直すか、--method lockout を使ってください。',
  'gate.check.rights.lab-platform':
    'ラボ TPM のプラットフォーム階層は有効です（phEnable がセット）。TPM2_Clear をプラットフォーム認証で実行できます。',
  'gate.check.rights.lab-no-ppi':
    'ラボ TPM には物理プレゼンスの確認画面を出すファームウェアがありません。--method platform を使ってください。',
  'gate.check.approval.recorded': (p: { by: string; ticket: string }) =>
    `${p.by} が承認（チケット ${p.ticket}）。ジャーナルに記録します`,
  'gate.check.approval.not-windows-approved': (p: { recorded: string }) =>
    `MDM で管理された Windows デバイスではありません。${p.recorded}。`,
  'gate.check.approval.not-windows':
    'MDM で管理された Windows デバイスではありません（Windows の証拠なし、Windows の TPM でもない）。承認は不要です。',
  'gate.check.approval.unread-approved': (p: { recorded: string }) =>
    `MDM の登録情報は読み取れませんでした。${p.recorded}。`,
  'gate.check.approval.unread': (p: { approvalFlags: string; acknowledge: string }) =>
    `このデバイスが Intune で管理されているかどうか不明です（MDM の登録情報を読み取れませんでした）。${p.approvalFlags} で承認を記録するか、会社の管理下にないデバイスなら ${p.acknowledge} で了承してください。`,
  'gate.check.approval.not-mdm-approved': (p: { recorded: string }) =>
    `MDM で管理されていません（Intune への登録なし）。${p.recorded}。`,
  'gate.check.approval.not-mdm': 'MDM で管理されていません（Intune への登録なし）。承認は不要です。',
  'gate.check.approval.intune-approved': (p: { recorded: string }) =>
    `Intune で管理されたデバイスです。${p.recorded}。`,
  'gate.check.approval.intune-missing': (p: {
    providerId: string;
    missingWho: boolean;
    missingTicket: boolean;
    approvalFlags: string;
  }) => {
    const lacking = [p.missingWho ? '承認者' : null, p.missingTicket ? 'チケット' : null]
      .filter((x) => x !== null)
      .join('と');
    return `このデバイスは Intune で管理されている（ProviderID "${p.providerId}"）ため、クリアには承認の記録が必要ですが、${lacking}が指定されていません。管理者の承認を得て、${p.approvalFlags} を付けてもう一度実行してください。`;
  },
  'gate.check.disable-clear.pass': 'disableClear は設定されていません。TPM は TPM2_Clear を受け付けます。',
  'gate.check.disable-clear.why':
    'disableClear が設定されています。ロックアウト認証でもプラットフォーム認証でも TPM2_Clear は TPM_RC_DISABLED（0x120）で失敗します。誰かが意図的に設定したものなので、まず誰がなぜ設定したのかを確認してください。',
  'gate.check.disable-clear.ppi': (p: { why: string; acknowledge: string }) =>
    `${p.why}物理プレゼンスによるクリア（PPI 操作5または14）なら、ファームウェアが先にプラットフォーム認証で TPM2_ClearControl(NO) を実行するため、設定に関係なくクリアできます。その方針で合意できたら ${p.acknowledge} で了承してください。`,
  'gate.check.disable-clear.fail': (p: { why: string; ppiFlag: string }) =>
    `${p.why}解除できるのはプラットフォーム認証（TPM2_ClearControl(NO)）だけです。UEFI セットアップで解除するか、${p.ppiFlag} を使う（PPI 操作5または14は設定に関係なくクリアします）か、ラボ TPM なら tpm2_clearcontrol -C p c を実行してください。`,
  'gate.check.lockout.remaining': (p: { seconds: number; failed: number; max: number; interval: number }) =>
    `電源を入れたまま、あと約${formatDuration(p.seconds, 'ja')}で解除されます（失敗${p.failed}回、上限${p.max}回、${formatDuration(p.interval, 'ja')}ごとに1回分を取り消し）`,
  'gate.check.lockout.never-heals':
    'この TPM は待っても回復しません（LOCKOUT_INTERVAL または MAX_AUTH_FAIL が0）',
  'gate.check.lockout.heal-time': (p: { healTime: string }) =>
    `Windows が報告する回復時間は ${p.healTime} です`,
  'gate.check.lockout.remaining-unknown': '解除までの残り時間は不明です',
  'gate.check.lockout.never-clear':
    'ロックアウトから抜けるために TPM をクリアしないでください。ロックアウトは時間で回復します。クリアするとすべての鍵が消去され、何が失敗し続けているのかも分からなくなります。',
  'gate.check.lockout.fail': (p: { wait: string; never: string }) =>
    `TPM は辞書攻撃対策のロックアウト中です。${p.wait}。待つか、ロックアウト認証でリセットしてください（Windows: Unblock-Tpm または tpm.msc の「TPM ロックアウトのリセット」、Linux: tpm2_dictionarylockout --clear-lockout）。ロックアウト認証の値は決して推測で入力しないでください。${p.never}`,
  'gate.check.lockout.auth-blocked': (p: { recoverySeconds: number | null; never: string }) =>
    `ロックアウト認証がブロックされています（誤った値の後の TPM_RC_LOCKOUT 0x921）。最後に誤った値を試してから、電源が入った状態で最大${p.recoverySeconds === null ? ' LOCKOUT_RECOVERY の時間' : formatDuration(p.recoverySeconds, 'ja')}（0の場合は次の TPM リセットまで）拒否されます。その時間が過ぎてから正しい値を使ってください。推測で入力しないでください。${p.never}`,
  'gate.check.lockout.unread': (p: { acknowledge: string }) =>
    `ロックアウトの状態を読み取れませんでした（TPM のプロパティ、tpmtool、Get-Tpm のいずれもなし）。--tpm を指定するか、管理者として証拠を収集し直してください。または ${p.acknowledge} で了承してください。`,
  'gate.check.lockout.pass': 'TPM は辞書攻撃対策のロックアウト中ではありません。',
  'gate.check.firmware.default-action':
    'PC メーカーのツールで TPM ファームウェアを更新し（BitLocker は一時停止）、そのうえで証拠を収集して診断し直してください。',
  'gate.check.firmware.fail': (p: { action: string }) =>
    `TPM ファームウェアに脆弱性があり、まだ更新されていません。今クリアしても、同じファームウェアで新しい鍵が作られるだけです。先にファームウェアを更新してから診断し直してください: ${p.action}`,
  'gate.check.firmware.unread': (p: { acknowledge: string }) =>
    `TPM ファームウェアのバージョンを読み取れなかったため、既知の脆弱性と照合できません。--tpm を指定するか詳しい証拠を用意するか、${p.acknowledge} で了承してください。`,
  'gate.check.firmware.pass': (p: { version: string | null }) =>
    `この TPM ファームウェアに既知の脆弱性はありません（${p.version ?? 'tpmtool: 脆弱性なし'}）。`,
  'gate.check.inventory.pass': (p: {
    persistent: number | null;
    nv: number | null;
    windows: number | null;
  }) => {
    const counts = [
      `永続オブジェクト${p.persistent ?? '（数は不明）'}${p.persistent === null ? '' : '個'}`,
      `プラットフォーム以外の NV インデックス${p.nv ?? '（数は不明）'}${p.nv === null ? '' : '個'}`,
      ...(p.windows !== null ? [`Windows の項目${p.windows}個`] : []),
    ];
    return `クリアで${counts.join('、')}が消去されます。内容を確認し、必要なものはバックアップするか、確定する前に作り直す計画を立ててください。`;
  },

  'gate.heading': '事前チェック（ゲート）',
  'gate.mark.pass': '合格',
  'gate.mark.fail': '不合格',
  'gate.mark.unknown': '不明',
  'gate.acknowledged': '（了承済み）',
  'gate.loss.heading': 'クリアで消去されるもの',
  'gate.loss.nothing': 'ストレージ階層とエンドースメント階層のシークレット以外はありません',
  'gate.loss.persistent': (p: { handle: string }) => `永続オブジェクト ${p.handle}`,
  'gate.loss.nv': (p: { index: string }) => `NV インデックス ${p.index}`,
  'gate.result': 'ゲート: ',
  'gate.passed': '合格',
  'gate.refused': '拒否',
  'gate.refused-detail': '（TPM には何も変更を加えていません）',
  // fleet triage: the classes, clear safety and the table and HTML report (src/fleet/triage/).
  'triage.class.healthy': '正常',
  'triage.remedy.healthy': '対応は不要です。',
  'triage.class.sync-stale': '同期が停滞',
  'triage.remedy.sync-stale':
    'デバイスを同期してください（tpm-doctor fleet sync）。チェックインしない場合は、ユーザーにオンラインでサインインしてもらってください。',
  'triage.class.tpm-clear-candidate': 'TPM: クリア候補',
  'triage.remedy.tpm-clear-candidate':
    'クリアの安全性が「クリア可」の場合に限り、ゲート付きの手順（デバイス上で tpm-doctor clear）で TPM をクリアしてください。',
  'triage.class.tpm-wait': 'TPM: ロックアウト（待機）',
  'triage.remedy.tpm-wait':
    '辞書攻撃対策のロックアウトが解除されるのを待つか、ロックアウト認証でリセットしてください。TPM はクリアしないでください。',
  'triage.class.tpm-firmware': 'TPM: ファームウェア更新',
  'triage.remedy.tpm-firmware':
    'PC メーカーの更新で TPM ファームウェアを更新してください（先に BitLocker を一時停止します）。更新より先に TPM をクリアしないでください。',
  'triage.class.tpm-absent': 'TPM: 未検出',
  'triage.remedy.tpm-absent':
    'Intune で TPM が認識されていません。UEFI ファームウェアのセットアップで TPM（PTT/fTPM）を有効にしてください。TPM のクリアでは解決しません。',
  'triage.class.secure-boot': 'セキュア ブート無効',
  'triage.remedy.secure-boot':
    'UEFI ファームウェアのセットアップでセキュア ブートを有効にし（TPM ではなくファームウェアの設定です）、再起動してください。',
  'triage.class.bitlocker': 'BitLocker 無効',
  'triage.remedy.bitlocker':
    'OS ボリュームで BitLocker を有効にし、TPM 保護機能と、Entra ID にバックアップした回復パスワードを設定してください。',
  'triage.class.attestation': '構成証明が古い',
  'triage.remedy.attestation':
    'デバイスを再起動してから同期してください。新しい正常性構成証明レポートで設定が再評価されます。',
  'triage.class.device-action': 'デバイスの診断',
  'triage.remedy.device-action':
    'デバイス自身の診断（修復スクリプトで集めた証拠）に従ってください。手順は理由の欄にあります。',
  'triage.class.non-compliant-other': '非準拠（TPM 以外）',
  'triage.remedy.non-compliant-other':
    'TPM とは関係のない設定で非準拠です。Intune 管理センターでデバイスを確認してください。',
  'triage.class.unknown': '不明',
  'triage.remedy.unknown':
    '分類するためのデータが足りません。修復スクリプトで証拠を収集するか、デバイスを直接確認してください。',
  'triage.remedy.collect-evidence-first':
    '先にデバイスの証拠を収集してください（tpm-doctor fleet remediate）。TPM のクリアを提案するのは、デバイス自身の診断が同意し、バックアップ済みの回復キーがデバイスの保護機能と一致する場合だけです。',
  'triage.safety.safe': 'クリア可',
  'triage.safety.blocked': 'クリア不可',
  'triage.safety.not-the-remedy': 'クリアは対処にならない',
  'triage.safety.unknown': 'クリア可否が不明',
  'triage.clear-word.safe': '可',
  'triage.clear-word.blocked': '不可',
  'triage.clear-word.not-the-remedy': '対象外',
  'triage.clear-word.unknown': '不明',
  'triage.sync-age.under-1d': '1 日未満',
  'triage.sync-age.1-7d': '1～7 日',
  'triage.sync-age.7-30d': '7～30 日',
  'triage.sync-age.30-90d': '30～90 日',
  'triage.sync-age.over-90d': '90 日超',
  'triage.sync-age.never': 'なし',
  'triage.table.lab-banner': '*** ラボ テナント — シミュレートされたデバイス ***',
  'triage.table.lab-in-process': (p: { devices: string; seed: string }) =>
    `プロセス内のラボ テナント（シミュレートされたデバイス ${p.devices} 台、シード ${p.seed}）`,
  'triage.progress': (p: { listed: number; classified: number; detailed: number; requests: number }) =>
    `トリアージ: 一覧取得 ${p.listed}、分類 ${p.classified}、詳細取得 ${p.detailed}、Graph 要求 ${p.requests}`,
  'triage.progress.done': (p: { devices: number; detailed: number; requests: number }) =>
    `トリアージ: ${p.devices} 台を取得して分類、詳細取得 ${p.detailed}、Graph 要求 ${p.requests}`,
  'triage.started': (p: { target: string }) => `tpm-doctor: ${p.target} のトリアージ`,
  'triage.finished': (p: { devices: number; needingAction: number; requests: number; perDevice: string }) =>
    `tpm-doctor: ${p.devices} 台中 ${p.needingAction} 台に対応が必要です。Graph 要求 ${p.requests} 件（1 台あたり ${p.perDevice}）`,
  'triage.finished.stored': (p: { id: number; store: string }) =>
    `。トリアージ実行 ${p.id} として ${p.store} に保存`,
  'triage.finished.report': (p: { file: string }) => `。レポート: ${p.file}`,
  'triage.table.heading': (p: { target: string }) => `フリート トリアージ: ${p.target}`,
  'triage.table.counts': (p: { devices: number; needingAction: number }) =>
    `Windows デバイス ${p.devices} 台、うち対応が必要 ${p.needingAction} 台。`,
  'triage.table.warning': (p: { warning: string }) => `警告: ${p.warning}`,
  'triage.table.as-cause': '原因別の対処（上記）のとおり',
  'triage.table.own-step': (p: { n: number }) => `固有の手順 ${p.n}（下記）`,
  'triage.table.own-steps': 'デバイス固有の手順（デバイス自身の診断による）:',
  'triage.column.device': 'デバイス',
  'triage.column.class': '分類',
  'triage.column.clear': 'クリア',
  'triage.column.last-sync': '最終同期',
  'triage.column.blocked-by': 'クリアの阻害要因',
  'triage.column.next-step': '次の手順',
  'triage.never': 'なし',
  'triage.table.more': (p: { count: number }) =>
    `... ほか ${p.count} 台（CSV または JSON のレポートを参照）。`,
  'triage.html.title': 'TPM フリート トリアージ',
  'triage.html.generated': (p: { target: string; at: string }) => `${p.target}。作成日時: ${p.at}。`,
  'triage.kpi.devices': 'Windows デバイス',
  'triage.kpi.healthy': '正常',
  'triage.kpi.need-action': '対応が必要',
  'triage.kpi.clear-safe': 'TPM のクリア可',
  'triage.kpi.clear-safe-note': 'バックアップ済みの回復キーと一致',
  'triage.kpi.clear-blocked': 'TPM のクリア不可',
  'triage.kpi.clear-blocked-note': '理由は下の表を参照',
  'triage.kpi.percent': (p: { percent: string }) => `フリート全体の ${p.percent}%`,
  'triage.chart.by-cause': '対応が必要なデバイス（原因別）',
  'triage.chart.clear-safety': 'TPM のクリアが対処になるデバイス: クリアしても安全か',
  'triage.chart.last-sync': 'Intune との最終同期',
  'triage.chart.last-sync-bar': (p: { age: string }) => `最終同期 ${p.age}`,
  'triage.html.remedies': '原因別の対処',
  'triage.html.nothing-to-do': '対応は不要です。',
  'triage.html.devices': '対応が必要なデバイス（緊急度の高い順）',
  'triage.html.none': 'ありません。',
  'triage.html.column.device': 'デバイスとユーザー',
  'triage.html.column.cause': '原因',
  'triage.html.column.clear': 'クリア',
  'triage.html.column.last-sync': '最終同期',
  'triage.html.column.why': '理由（行を開くと全文を表示）',
  'triage.html.clear-blocked': (p: { reason: string }) => `クリア不可: ${p.reason}`,
  'triage.html.own-step': (p: { step: string }) => `このデバイス固有の手順: ${p.step}`,
  'triage.html.more-items': (p: { count: number }) => `（ほか ${p.count} 件）`,
  'triage.html.omitted': (p: { count: string }) =>
    `ほかに ${p.count} 台のデバイスで対応が必要です。すべてのデバイスは CSV と JSON のレポートに記載されています。`,
} as const satisfies UiTranslation;
