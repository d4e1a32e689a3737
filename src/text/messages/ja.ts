import type { UiTranslation } from './translation.js';

/**
 * tpm-doctor's messages in Japanese, written for the IT admin who runs it (the words Windows and
 * Intune use in Japanese: TPMのクリア, BitLocker回復キー, ロックアウト). Keyed as en.ts; a test
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
  'verdict.healthy': '対応は不要です。TPMは正常です。',
  'verdict.review-warnings': '変更は不要です。警告の内容を確認してください。',
  'verdict.clear-blocked': (p: { reasons: string; collectFirst: boolean }) =>
    `TPMのクリアが必要ですが、今は実行しないでください: ${p.reasons}${p.collectFirst ? ' 先に、不足している証拠を収集してください。' : ''}`,

  'diagnosis.heading': (p: { source: string }) => `診断対象: ${p.source}`,
  'diagnosis.source.evidence': (p: { origin: string }) => `証拠 ${p.origin}`,
  'diagnosis.source.nothing': 'なし',
  'diagnosis.lab': (p: { scenarios: string }) => `[ラボ: 使い捨てのソフトウェアTPM、シナリオ ${p.scenarios}]`,
  'diagnosis.label.verdict': '判定',
  'diagnosis.label.next-step': '次の手順',
  'diagnosis.label.clear': 'TPMのクリア',
  'diagnosis.status.healthy': '正常',
  'diagnosis.status.warnings': '警告あり',
  'diagnosis.status.errors': '問題あり',
  'diagnosis.status.incomplete': '証拠が不足',
  'diagnosis.status.undiagnosable': '診断できません',
  'diagnosis.step.none': '対応不要',
  'diagnosis.step.wait': '待機',
  'diagnosis.step.reset-lockout': 'ロックアウトのリセット',
  'diagnosis.step.restart': '再起動',
  'diagnosis.step.update': 'ファームウェアまたはWindowsの更新',
  'diagnosis.step.reconfigure': '設定の変更',
  'diagnosis.step.clear': 'TPMのクリア（ゲートあり: tpm-doctor clear）',
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
    `ルール ${p.rule} が失敗しました（tpm-doctorの不具合）: ${p.message}`,
  'diagnosis.not-known': '不明な点（判明するまでTPMのクリアは保留）',
  'diagnosis.not-understood': '読み取ったが解釈できなかった項目',
  'diagnosis.not-understood.item': (p: { file: string; message: string }) =>
    `${p.file}（読み取り済み）: ${p.message}`,
  'diagnosis.more': '検出事項ごとの根拠: --verbose　IDの説明: docs/findings.md',

  'clear.heading': (p: { uri: string }) => `TPMのクリア: ${p.uri}`,
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
    'このTPMにはロックアウト認証の値が設定されていません（lockoutAuthSet がクリア）。値を指定しないでください。誤った値を送ると、回復時間が経過するまでロックアウト認証がブロックされます',
  'refusal.ppi-on-lab':
    'ラボのTPMには物理プレゼンスの確認画面を出すファームウェアがありません。--method platform を使ってください',
  'refusal.resume-on-lab': 'ラボのTPMは1回のコマンドの間しか存在しないため、再開できる実行はありません',
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
  'fleet.phase.synced': '同期済み、TPM設定の準拠待ち',
  'fleet.phase.compliant': '準拠',
  'fleet.phase.failed': 'Graphが拒否',
  'fleet.phase.timed-out': 'タイムアウト',
  'fleet.phase.remediate-synced': '証拠を報告済み',
  'fleet.phase.clear-posted': '送信済み、クリア結果の報告待ち',
  'fleet.phase.clear-synced': 'クリアと証明が完了、再起動と準拠待ち',
  'fleet.phase.clear-failed': '拒否または失敗（TPMはクリアされていません）',
  'fleet.campaign.problems': '確認が必要なデバイス:',
  'fleet.campaign.more': (p: { count: number }) => `…ほか${p.count}台（--json ですべて表示）`,
  'fleet.campaign.stopped': (p: { id: string }) =>
    `停止中:「tpm-doctor fleet resume ${p.id}」で再開できます。`,
  'fleet.campaign.abandoned': (p: { open: number }) =>
    `中止済み: 今後送信も再開もしません。未完了のデバイスは${p.open}台です。`,
  'fleet.campaigns.none-yet': 'キャンペーンはまだありません。',
  'fleet.campaigns.created': (p: { at: string }) => `作成 ${p.at}`,
  'fleet.status.store': (p: { store: string }) => `ストア: ${p.store}`,
  'fleet.status.latest-triage': (p: { id: number; at: string; target: string }) =>
    `最新のトリアージ: 実行 ${p.id}（${p.at}、${p.target}）`,
  'fleet.status.no-triage': 'トリアージはまだ実行されていません（「tpm-doctor fleet triage」）。',
  'fleet.status.no-campaigns': 'キャンペーンはありません。',
  'fleet.status.compliant': (p: { compliant: string; total: number }) => `${p.compliant}/${p.total}台が準拠`,

  'gate.heading': '事前チェック（ゲート）',
  'gate.mark.pass': '合格',
  'gate.mark.fail': '不合格',
  'gate.mark.unknown': '不明',
  'gate.acknowledged': '（了承済み）',
  'gate.loss.heading': 'クリアで消去されるもの',
  'gate.loss.nothing': 'ストレージ階層とエンドースメント階層のシークレット以外はありません',
  'gate.loss.persistent': (p: { handle: string }) => `永続オブジェクト ${p.handle}`,
  'gate.loss.nv': (p: { index: string }) => `NVインデックス ${p.index}`,
  'gate.result': 'ゲート: ',
  'gate.passed': '合格',
  'gate.refused': '拒否',
  'gate.refused-detail': '（TPMには何も変更を加えていません）',
} as const satisfies UiTranslation;
