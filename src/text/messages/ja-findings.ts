import { formatDuration } from '../duration.js';
import type { FindingTranslation } from './translation.js';

/**
 * Finding texts in Japanese, keyed by finding ID as en-findings.ts (a test keeps the two key for
 * key). Commands, flags and TCG names stay as they are typed, with spaces around them so a line
 * never breaks inside one.
 */
export const JA_FINDINGS = {
  'tpm.lockout': {
    title: 'TPM が認証の連続失敗によりロックアウトされています（辞書攻撃対策のロックアウト）',
    why: 'ロックアウト中の TPM は、パスワードや PIN で保護された鍵を、正しい値を入力しても一切使わせません。Windows Hello の PIN によるサインイン、BitLocker の TPM+PIN によるロック解除、Entra ID と Intune の同期に使うデバイスキーがすべて失敗します（NTE_AUTHENTICATION_IGNORED 0x80090031、TPM-WMI イベント1026）。',
    waitCounted: (p: { waitSeconds: number; intervalSeconds: number; toForgive: number; failed: number }) =>
      `デバイスの電源を入れたまま、約${formatDuration(p.waitSeconds, 'ja')}待ってください（TPM は電源が入っている間、${formatDuration(p.intervalSeconds, 'ja')}ごとに失敗を1回分ずつ取り消します。記録された失敗${p.failed}回のうち${p.toForgive}回分が取り消されると、再び認証を受け付けます）。`,
    waitHealTime: (p: { healTime: string }) =>
      `デバイスの電源を入れたまま待ってください。TPM は電源が入っている間、${p.healTime}ごとに失敗を1回分ずつ取り消し、回数が上限を下回るとロックアウトが解除されます。`,
    waitUnknown: 'デバイスの電源を入れたまま待ってください。TPM は時間の経過とともに失敗回数を取り消します。',
    reset:
      'ロックアウト認証でロックアウトをリセットします。Windows では管理者として Unblock-Tpm を実行するか、tpm.msc の「TPM ロックアウトのリセット」を使います（Windows はプロビジョニング時に保存したロックアウト値を使います）。Linux ではロックアウトパスワードを指定して tpm2_dictionarylockout --clear-lockout を実行します',
    noGuess: (p: { recoverySeconds: number | null }) =>
      `ロックアウト認証の値を推測で入力しないでください。1回でも誤った値を入力すると、リセットも TPM2_Clear も${p.recoverySeconds === null ? ' LOCKOUT_RECOVERY の時間' : formatDuration(p.recoverySeconds, 'ja')}の間ブロックされ（TPM_RC_LOCKOUT 0x921）、しかも TPM はロックアウト状態として報告しません。`,
    cause:
      'そのうえで、何が失敗し続けているのかを突き止めてください。忘れられた Windows Hello や BitLocker の PIN、誤った TPM キーのパスワードを使うアプリやスクリプト、繰り返される電源断（正常にシャットダウンされないたびに失敗1回と数えられます）などが考えられます。',
    actionMaxZero: (p: { reset: string; noGuess: string }) =>
      `MAX_AUTH_FAIL が0のため、0以外の上限を設定するまで、TPM は辞書攻撃保護の対象となる認証をすべて拒否します。ロックアウト認証で DA パラメーターを設定し直し（Windows の既定値は32。Linux では tpm2_dictionarylockout --setup-parameters --max-tries 32）、そのうえで${p.reset}。${p.noGuess}`,
    actionNeverHeals: (p: { reset: string; noGuess: string; cause: string }) =>
      `この TPM は時間が経っても失敗回数を取り消しません（LOCKOUT_INTERVAL が0）。${p.reset}。${p.noGuess}${p.cause}`,
    actionWait: (p: { wait: string; reset: string; noGuess: string; cause: string }) =>
      `${p.wait}待てない場合は、${p.reset}。${p.noGuess}${p.cause}`,
    blocksClear:
      'TPM は辞書攻撃対策のロックアウト中です。待つかロックアウトのリセットで回復するため、クリアすると一時的な状態から抜けるためだけにすべての鍵を消去することになり、認証が失敗し続ける原因も分からなくなります。',
  },
  'tpm.lockout-counter-high': {
    title: 'TPM に認証の失敗が多数記録されており、ロックアウト寸前です',
    why: 'あと数回失敗すると TPM がロックアウトされ、回復するまで、Windows Hello の PIN によるサインイン、BitLocker の TPM+PIN、Entra ID と Intune の同期に使うデバイスキーが使えなくなります。',
    healCounted: (p: { seconds: number }) =>
      `電源が入った状態で約${formatDuration(p.seconds, 'ja')}経過すると、カウンターは0に戻ります。`,
    healUnknown: 'TPM は電源が入っている間、時間の経過とともに失敗回数を取り消します。',
    action: (p: { heal: string }) =>
      `まだリセットの必要はありません。${p.heal}その間に、何が失敗しているのかを突き止めてください。Windows Hello や BitLocker の PIN の入力ミス、誤った TPM キーのパスワードを使うアプリ、繰り返される不正なシャットダウン（1回ごとに失敗1回と数えられます）などが考えられます。`,
  },
  'tpm.reduced-functionality': {
    title: 'TPM が機能制限の状態で動作しています。再プロビジョニングには TPM のクリアが必要です',
    why: 'Windows が保存しているストレージルートキー（SRK）と所有者認証が TPM と一致しなくなっているため、Windows は新しい TPM キーを作成できません。Entra ID へのデバイス登録とそれに依存する Intune の同期が失敗し、Windows Hello を設定できず、コンプライアンスでは TPM が準備未完了と報告されます。再起動や更新では直らず、TPM をクリアして初めて Windows が TPM を新しくプロビジョニングできます。',
    action:
      'ゲート付きの手順（tpm-doctor clear）で TPM をクリアしてください。BitLocker 回復キーが Entra ID/AD にエスクローされていて一致していること、BitLocker を再起動2回分一時停止すること、ファームウェアの確認画面に管理者が立ち会うことが条件です。そのあと Windows に TPM を再プロビジョニングさせ、サインインして Windows Hello の PIN を設定し直し、Intune と同期してください。',
  },
  'bitlocker.no-recovery-password': {
    title: (p: { volume: string }) => `BitLocker ボリューム ${p.volume} に回復パスワードがありません`,
    why: (p: { volume: string }) =>
      `${p.volume} は TPM だけでロック解除されています。TPM のクリア、ファームウェアやセキュアブートの変更、マザーボードの交換を行うと、起動時に BitLocker 回復キー（回復パスワード）の入力を求められますが、このボリュームには回復パスワードがないため、データを失います。存在しないキーは Intune にエスクローすることもできません。`,
    action: (p: { volume: string }) =>
      `回復パスワードを追加してエスクローしてください: \`manage-bde -protectors -add ${p.volume} -RecoveryPassword\` を実行し、続けて \`BackupToAAD-BitLockerKeyProtector -MountPoint ${p.volume} -KeyProtectorId <新しい ID>\`（AD DS の場合は Backup-BitLockerKeyProtector）を実行して、Intune でそのデバイスに回復キーが表示されることを確認します。`,
    blocksClear: (p: { volume: string }) =>
      `クリア後にボリューム ${p.volume} のロックを解除する回復パスワードがありません`,
  },
  'mdm.sync-failing': {
    titleStale: (p: { hours: number }) => `Intune と${p.hours}時間同期していません`,
    titleFailing: 'Intune との同期セッションが失敗しています',
    why: 'Intune はおよそ8時間ごとにチェックインします。セッションを完了できない PC は新しいポリシーを受け取れず、コンプライアンスの状態も報告しません。コンプライアンスの有効期間（既定で30日）を過ぎると Intune はその PC を非準拠とし、条件付きアクセスによってユーザーがブロックされます。',
    actionDeviceDisabled:
      'Entra ID でデバイスオブジェクトが無効化または削除されているため、PC は同期のための認証ができません。Entra ID で有効に戻すか、削除されている場合は PC をもう一度参加させて Intune に登録し直してください。',
    actionUpstream:
      '先に Entra または TPM の検出事項（entra.device-key-unusable、entra.no-prt、TPM のロックアウト、tpm.reduced-functionality）に対処してください。デバイスが TPM で認証できないために同期が失敗しており、その問題が直れば同期も再開します。',
    actionSync:
      '同期を開始し（設定 > アカウント > 職場または学校にアクセスする > 組織 > 情報 > 同期）、終わるまで PC をスリープさせないでください。数分から数時間かかることがあります。再び失敗する場合は PC を再起動してもう一度同期し、DeviceManagement-Enterprise-Diagnostics-Provider の Admin ログでエラーコードを確認してください。',
  },
  'tpm.stale-objects': {
    title: (p: { count: number }) =>
      `Windows や Linux の所有者が通常は持たないオブジェクトが、TPM に${p.count}個残っています`,
    why: '以前の所有者、OS、ツールが残した永続キーや NV インデックス（「金庫に残った古い情報」）には、前の所有者とともに消えるべき鍵やデータが含まれているおそれがあり、TPM の限られた NV 領域も消費します。残っているだけで、同期、コンプライアンス、BitLocker、Windows Hello が壊れることはありません。',
    action:
      'これを理由に、正常に動作しているデバイスの TPM をクリアしないでください。クリアすると、現在使用中の鍵も消去されます。どのソフトウェアがこれらのオブジェクトを作成したかを調べ、使われていないと判明したものだけを所有者認証で削除します（tpm2_evictcontrol -C o -c HANDLE と tpm2_nvundefine INDEX）。デバイスの譲渡、売却、再インストールの際に、その作業の一環として TPM をクリアしてください（tpm-doctor clear、ゲートあり）。',
  },
  'tpm.clear-disabled': {
    titleInTpm: 'TPM のクリアが無効化されています（disableClear）',
    titleWindows: 'Windows から TPM をクリアできません（OwnerClearDisabled）',
    whyClearNeeded:
      '回復には TPM のクリアが必要ですが（tpm.reduced-functionality を参照）、クリアが無効化されています。ファームウェアで設定を解除するまで、Clear-Tpm、tpm.msc、TPM2_Clear はいずれも TPM_RC_DISABLED で失敗します。',
    whyHarmless:
      'これだけで何かが壊れるわけではありませんが、デバイスの譲渡や再プロビジョニングの際に OS から TPM をクリアできません。誰かが意図的に設定したか、修復を妨げるためにソフトウェアが設定した可能性があります。',
    action:
      '変更する前に、誰がなぜ設定したのかを確認してください。解除するには、UEFI セットアップで TPM のクリアを許可します（ファームウェアがプラットフォーム認証で TPM2_ClearControl(NO) を送ります。OS からはできません）。クリアが必要な場合は、ファームウェアの物理プレゼンスインターフェイス（Clear-Tpm -UsePPI、PPI 操作5または14）で要求することもできます。この方法では起動時にキーボードで確認し、EDK2ベースのファームウェアならクリアの前にフラグも解除されます。Linux でプラットフォーム認証がある場合は tpm2_clearcontrol -C p c を実行します。',
    blocksClear:
      'TPM でクリアが無効化されています（disableClear / OwnerClearDisabled）。OS からのクリアは TPM_RC_DISABLED で失敗します。先にファームウェアで解除するか、ファームウェアの PPI 経由でクリアしてください。',
  },
  'tpm.transient-leak': {
    title: (p: { count: number }) => `一時オブジェクトが${p.count}個、TPM に読み込まれたまま残っています`,
    why: (p: { full: boolean }) =>
      `リソースマネージャーを使わないクライアントが、オブジェクトを読み込んだまま終了しました。${p.full ? 'オブジェクトスロットがすでに尽きているため、' : 'わずかなオブジェクトスロットが尽きると、'}鍵の読み込みはすべて TPM_RC_OBJECT_MEMORY（0x902）で失敗し、解放されるまで、この TPM での BitLocker のアンシール、Windows Hello、デバイスキーによる署名が失敗します。`,
    action:
      'デバイスを再起動するか（TPM のリセットで一時オブジェクトはすべて解放されます）、今すぐ tpm2_flushcontext -t で解放してください。そのうえで、オブジェクトを残しているクライアントを特定してください。ソフトウェアは /dev/tpm0 ではなくリソースマネージャー（Linux では /dev/tpmrm0）を使うべきです。',
  },
  'tpm.absent': {
    title: 'TPM が見つかりません',
    why: 'TPM がないと、Intune のコンプライアンス設定「TPM が必要」を満たせず、BitLocker は TPM 保護機能を使えません。Windows Hello for Business と Entra ID のデバイス キーも TPM に結び付けられず、デバイス正常性構成証明と Autopilot の事前プロビジョニングは失敗します。',
    action:
      'UEFI ファームウェアのセットアップで TPM を有効にし（「Security Device Support」「Intel PTT」「AMD fTPM」などの名前の場合があります）、Windows を起動して Get-Tpm で再度確認してください。マザーボードに TPM がない場合は、TPM 2.0 を追加するかデバイスを交換する必要があります。TPM を直接読み取った場合は、--tpm に指定したアドレスも確認してください。',
    blocksClear: 'TPM が応答しませんでした。TPM を有効にするまで、クリアする対象がありません。',
  },
  'tpm.version-unsupported': {
    title: 'TPM のバージョンが 1.2 です（TPM 2.0 が必要です）',
    why: 'Windows 11、Intune のデバイス正常性構成証明、Windows 登録の構成証明、Autopilot の自己展開モードと事前プロビジョニングには TPM 2.0 が必要です。TPM 1.2 のままでは、TPM 2.0 の機能を求める設定すべてで非準拠になります。',
    action:
      '多くの独立型 TPM（Infineon、Nuvoton）は、PC メーカーの TPM ファームウェア ツールで TPM 2.0 に切り替えられます。BitLocker を一時停止し、メーカーの手順に従ってください（ツール自体が TPM をリセットするため、TPM のクリアと同じ扱いにし、先に回復キーがバックアップされていることを確認します）。切り替えられない場合はデバイスを交換してください。',
  },
  'tpm.selftest-failed': {
    titleFailureMode: 'TPM が障害モードになっています',
    titleSelfTest: 'TPM の自己テストが失敗しました',
    titleCommands: 'TPM がコマンドの実行に失敗しました（TPM ドライバーのイベント 17）',
    titleProvisioning: 'Windows が TPM をプロビジョニングできませんでした（TPM-WMI のエラー）',
    why: (p: { failureMode: boolean; direct: boolean }) =>
      `自己テストに失敗した TPM は、${p.failureMode ? 'テスト結果と機能情報の読み取り以外のコマンドをすべて拒否します' : '鍵を安全に扱えるとは言えません'}。回復するまで、BitLocker のロック解除、Windows Hello、同期に使う Entra ID のデバイス キー、正常性構成証明がすべて失敗します。${p.direct ? '' : 'ここでは記録されたイベントだけが根拠です。現在 TPM が正常に応答していれば、すでに回復しています。'}`,
    actionRestart:
      'PC を完全にシャットダウンしてから電源を入れ直してください（障害モードは TPM のリセットでしか終わりません）。障害が再発する場合は、PC メーカーの TPM ファームウェア / BIOS を更新してください。それでも続く場合は TPM ハードウェアの交換が必要です。',
    actionUpdate:
      'PC を完全にシャットダウンしてから電源を入れ直し、この機種の PC メーカーのサポート ページから TPM ファームウェアと BIOS/UEFI を更新してください。その後も TPM ドライバーがこれらのイベントを記録し続ける場合は、PC メーカーに問い合わせてください。TPM ハードウェアの交換が必要な場合があります。',
    blocksClearNow:
      '障害モードの TPM は TPM2_Clear を実行できず、TPM のクリアで自己テストの失敗が直ることもありません。再起動してから、ファームウェアを更新してください。',
    blocksClearRecent:
      '過去 30 日以内に、TPM ドライバーまたは TPM-WMI が TPM のハードウェア、コマンド、プロビジョニングの失敗を記録しています。TPM のクリアでは直りません。先に PC メーカーの TPM ファームウェアと BIOS を更新してください。',
  },
  'tpm.not-ready': {
    titleNotStarted: 'TPM が起動されていません',
    titleNotReady: 'Windows は TPM が使用できる状態ではないと報告しています',
    why: '使用準備ができていない TPM では鍵を作成することも使うこともできません。Entra ID と Intune の同期に必要なデバイス キーを Windows が登録できず、Windows Hello を設定できず、BitLocker は TPM に封印できず、コンプライアンスの「TPM の準備完了」のチェックも失敗します。',
    actionOnlyClear:
      'この検出事項そのものに対処する必要はありません。設定されているビットは TPM のクリアが必要なもので、tpm.reduced-functionality が（安全確認付きで）扱います。',
    actionNotStarted:
      'デバイスを再起動してください。TPM がリセットされた後に TPM2_Startup が送られていません（ファームウェアは起動のたびに送ります）。',
    actionRestart:
      'Windows を再起動して（高速スタートアップが有効なシャットダウンではなく、完全な再起動）、起動時に TPM のプロビジョニングを完了させてください。それでも準備ができない場合は、タスク \\Microsoft\\Windows\\TPM\\Tpm-Maintenance を実行し、Get-Tpm で AutoProvisioning が Enabled になっていることを確認してください。',
    reconfigureTpmDisabled:
      'UEFI ファームウェアのセットアップで TPM を有効にしてアクティブ化し、再起動してください。',
    reconfigureOwnerAuthPolicy:
      'グループ ポリシーで、Windows が TPM 所有者の承認情報を保持しないように設定されています（コンピューターの構成 > 管理用テンプレート > システム > トラステッド プラットフォーム モジュール サービス >「オペレーティング システムで使用可能な TPM 所有者承認情報のレベルを構成する」）。「未構成」に戻し、再起動してください。',
    reconfigureOther: (p: { bit: string }) => `${p.bit} の原因となっている構成を修正してください。`,
  },
  'tpm.hierarchy-disabled': {
    title: (p: { storage: boolean; endorsement: boolean }) =>
      `TPM の${[p.storage ? 'ストレージ階層' : null, p.endorsement ? '保証階層' : null].filter(Boolean).join('と')}が無効になっています`,
    why: (p: { storage: boolean; endorsement: boolean }) =>
      `${p.storage ? 'ストレージ階層が無効なため、SRK の下の鍵を読み込めません。BitLocker は TPM で封印を解除できず、Windows Hello と（同期に必要な）Entra ID のデバイス キーも失敗します。' : ''}${p.endorsement ? '保証階層が無効なため、EK（保証キー）を使えません。デバイス正常性構成証明、Windows 登録の構成証明、Autopilot の TPM 構成証明が失敗し、それらに依存するコンプライアンスも失敗します。' : ''}`,
    action:
      'デバイスを再起動してください（休止状態からの復帰や高速スタートアップではなく、完全な再起動）。起動時の TPM2_Startup(CLEAR) でストレージ階層と保証階層が再び有効になります。再起動後にまた無効になる場合は、ファームウェアの設定か起動時のコンポーネントが無効にしています。UEFI の TPM 設定を確認し、ファームウェアを更新してください。',
  },
  'tpm.ek-cert-missing': {
    titleUnusable: '使用できる EK 証明書が見つかりません',
    titleNone: 'EK 証明書が見つかりません',
    whyOnline: (p: { vendor: string; service: string }) =>
      `これはファームウェア TPM（${p.vendor}）で、EK 証明書は通常 TPM ではなくベンダー側にあります。Windows は必要なときに ${p.service} から取得します。構成証明が失敗しない限り問題はありません。`,
    actionOnline: (p: { service: string }) =>
      `対処は不要です。構成証明が失敗する場合は、デバイスが ${p.service} に接続できること（プロキシ、TLS 検査）を確認し、Get-TpmEndorsementKeyInfo の結果を収集してください。`,
    whyOnlineFailed: (p: { vendor: string; service: string }) =>
      `Windows はこのファームウェア TPM（${p.vendor}）の EK 証明書を持っていません。${p.service} から取得できませんでした。EK 証明書がないと、デバイス正常性構成証明、Windows 登録の構成証明、Autopilot の TPM 構成証明が失敗し、デバイスは非準拠になります。`,
    actionOnlineFailed: (p: { service: string }) =>
      `デバイスが ${p.service} に接続できるようにし（プロキシ、ファイアウォール、TLS 検査の例外）、再起動して TPM のメンテナンス タスクに再試行させてください。TPM のクリアは役に立ちません。証明書は EK に対して発行されており、EK はクリアしても残ります。`,
    whyNone:
      'TPM に EK 証明書がないため、本物の TPM であることを証明できません。デバイス正常性構成証明、Windows 登録の構成証明、Autopilot の自己展開モード / 事前プロビジョニングが失敗し、構成証明が必要な環境ではデバイスが非準拠になります。',
    actionNone:
      'PC メーカーまたは TPM メーカーに EK 証明書を依頼してください（証明書を書き込むプロビジョニング ツールやファームウェア更新を提供しているメーカーもあります）。TPM のクリアでは証明書は作成されません。EK とその証明書はクリアしても残ります。',
  },
  'tpm.ek-cert-mismatch': {
    title: 'この TPM の保証キー（EK）のものではない EK 証明書があります',
    why: '構成証明では EK 証明書を EK と一緒に送ります。証明書の鍵が別の鍵だと、Intune のデバイス正常性構成証明、Windows 登録の構成証明、Autopilot の TPM 構成証明がデバイスを拒否し、デバイスは非準拠になり、Autopilot のプロビジョニングも止まることがあります。',
    action:
      '証拠を添えて PC メーカーまたは TPM メーカーに報告してください。メーカーに証明書を書き込み直してもらう（ツールやファームウェア更新）か、マザーボードを交換する必要があります。TPM のクリアでは直りません。保証シード、EK、プラットフォーム証明書はクリアしても残ります。',
  },
  'tpm.firmware-vulnerable': {
    titleKnown: (p: { titles: string }) => `脆弱性のある TPM ファームウェア: ${p.titles}`,
    titleWindows: 'Windows が TPM ファームウェアの脆弱性を報告しています',
    why: '既知の脆弱性があるファームウェアの TPM で保護された鍵は、抜き取られたり偽造されたりするおそれがあります（弱い RSA 鍵、タイミングによる漏洩、メモリ破壊）。BitLocker、Windows Hello、デバイス ID は見かけより弱く、Windows Autopilot は脆弱な TPM の構成証明を拒否し（0x81039024）、構成証明に依存するコンプライアンスも失敗します。',
    actionUpdate: (p: { fixedIn: string | null }) =>
      `PC メーカーの TPM 更新または BIOS 更新で TPM ファームウェアを更新してください${p.fixedIn !== null ? `（修正済みバージョン: ${p.fixedIn}）` : ''}。先に BitLocker を一時停止し、メーカーの手順に従います。`,
    actionRegenerate: (p: { update: string }) =>
      `${p.update}脆弱なファームウェアが生成した鍵は更新後も弱いままなので、アドバイザリのとおり、更新の後でゲート付きの手順で TPM をクリアし、鍵（BitLocker、Windows Hello、デバイス キー）を生成し直してください。更新の前にクリアしてはいけません。古いファームウェアがまた弱い鍵を生成します。`,
    actionNoClear: (p: { update: string }) =>
      `${p.update}これを理由に TPM をクリアしないでください。ファームウェアの更新で解決します。`,
    blocksClear:
      'TPM ファームウェアに脆弱性があり、まだ更新されていません。今クリアすると、新しい鍵も同じ脆弱なファームウェアで生成されます。先に更新してください。',
  },
  'tpm.persistent-space-low': {
    titleRefused: 'TPM が NV メモリへの保存を拒否しました（TPM_RC_NV_SPACE）',
    titleNoIndexRoom: 'TPM の NV メモリに新しい NV インデックスを定義する空きがありません',
    titleFull: 'TPM に永続オブジェクトを保存する空きがありません',
    titleLow: 'TPM の永続オブジェクト用の空きがほとんどありません',
    why: '永続キーと NV インデックスは TPM の小さな NV メモリを共有し、TPM はその一部を最低限の永続オブジェクト用に確保しています。その部分を使う NV インデックスは拒否されます。いっぱいになると、鍵の永続化や NV インデックスの定義が TPM_RC_NV_SPACE で失敗し、Windows は TPM を再プロビジョニングするときに新しい SRK や EK を保存できず、それらを必要とする構成証明や Windows Hello のセットアップも失敗します。',
    action:
      '誰も使っていない永続オブジェクトと NV インデックスを削除してください（一覧は tpm.stale-objects を参照）。所有者認証を指定して tpm2_evictcontrol -C o -c HANDLE と tpm2_nvundefine INDEX を実行します。Windows はバージョン 1607 以降、所有者認証の値を保持しないため、Windows で空きを作る現実的な方法は TPM のクリアだけで、それもデバイスがクリアに耐えられる場合に限ります（ゲートあり）。',
  },
  'tpm.sha256-bank-missing': {
    titleNone: 'PCR バンクが 1 つも割り当てられていません',
    titleNoSha256: 'SHA-256 の PCR バンクが割り当てられていません',
    whyNone:
      'PCR バンクがないため、起動時に何も測定されません。デバイス正常性構成証明、PCR への BitLocker の封印、メジャー ブートがすべて失敗します。',
    whyNoSha256:
      '起動時の測定値が SHA-1 バンクにしか記録されません。SHA-256 の測定値を求める構成証明は失敗し、BitLocker は信頼の判断には非推奨の SHA-1 の PCR 値に封印します。',
    action:
      '先に BitLocker を一時停止してください（Suspend-BitLocker -RebootCount 2）。PCR バンクを変えるとすべての PCR 値が変わり、BitLocker が回復キーを要求するためです。そのうえで UEFI の TPM 設定で SHA-256 の PCR バンクを有効にし（多くは「TPM 2.0 PCR bank」/「SHA-256」）、2 回再起動して、BitLocker が TPM 保護機能付きで再開したことを確認してください。',
  },
  'tpm.restart-pending': {
    title: 'Windows は TPM の操作を完了するために再起動を待っています',
    why: '再起動するまで TPM は以前の状態のままです。プロビジョニングは完了せず、要求された PPI 操作も実行されず、Intune のコンプライアンスは前回の起動時に測定された値のままです（デバイス正常性構成証明は起動時に測定されます）。',
    actionPresence:
      'キーボードの前に人がいる状態で再起動してください。ファームウェアが TPM の操作の確認を求めます（F12 など）。その後、もう一度診断してください。',
    actionRestart:
      'デバイスを再起動し（高速スタートアップが有効なシャットダウンではなく「再起動」）、もう一度診断してください。',
    blocksClear:
      'TPM の操作を完了するための再起動が保留中です（すでに要求された TPM のクリアの可能性もあります）。クリアする前に、再起動してもう一度診断してください。',
  },
  'entra.device-key-unusable': {
    title: 'Entra ID がこの PC を識別するデバイス キーを使用できません',
    why: 'デバイスは登録時に作成されたキー ペア（TPM があれば TPM 内）で Entra ID に対して自分を証明します。そのキーがない、または署名できない（NTE_BAD_KEYSET:「キーセットが存在しません」）と、Windows はプライマリ更新トークン（PRT）を取得できません。シングル サインオン、条件付きアクセス、Windows Hello for Business が失敗し、Intune の同期とコンプライアンスの報告も止まります。',
    actionRecovery:
      'オンラインの状態で、職場アカウントでサインアウトしてもう一度サインインしてください（または再起動してサインイン）。AadRecoveryEnabled が YES なので、Windows は次のサインイン時にデバイス キーを登録し直します（ハイブリッド参加のデバイスでは自動で、Entra 参加のデバイスではメッセージが表示されます）。その後、管理者として `dsregcmd /status` を実行し、KeySignTest : PASSED を確認してください。',
    actionHardware:
      'TPM ドライバーが回復不能な TPM ハードウェア エラーを報告しています。最新の Windows サービス スタックと累積更新プログラム、メーカーの BIOS/TPM ファームウェア更新をインストールしてから再確認してください。エラーが続く場合は、メーカーに TPM を診断してもらってください。TPM のクリアでは故障したハードウェアは直りません。',
    actionClear:
      'Windows は TPM 自体の回復に TPM のクリアが必要だと報告しており、TPM に新しいデバイス キーを作成できません。ゲート付きのクリア（`tpm-doctor clear`: 回復キーのバックアップ、BitLocker の一時停止、承認の記録）を実行し、サインインしてデバイスを登録し直し、Windows Hello を設定し直してください。',
    actionReregister:
      'デバイスを Entra ID に登録し直してください。TPM は正常に見えるため、これを理由に TPM をクリアしないでください。ハイブリッド参加の場合: 管理者として `dsregcmd /leave` を実行して再起動し、次のサインイン（または Automatic-Device-Join タスク）で参加し直させます。Entra 参加または登録済みの場合: 職場アカウントを削除して追加し直します（設定 > アカウント > 職場または学校にアクセスする）。これは Microsoft が NTE_BAD_KEYSET に対して推奨する方法です。イメージを sysprep した場合は、一度も参加させていないマシンからイメージを作成し直してください。',
  },
  'entra.device-key-not-in-tpm': {
    title: 'Entra のデバイス キーが TPM ではなくソフトウェアに保存されています',
    why: (p: { tpmUnknown: boolean }) =>
      `デバイス ID のキーがソフトウェア キー記憶域プロバイダー（Microsoft Software Key Storage Provider）に切り替わっています。多くは参加時の TPM エラーが原因です。ソフトウェアのキーはディスクからコピーできるため、デバイス ID はハードウェアに結び付いていません。Windows Hello for Business、デバイスに結び付いたトークン、構成証明は TPM による保証を失い、TPM で保護された ID を前提とするポリシーではデバイスの信頼度が下がることがあります。${p.tpmUnknown ? 'この PC に TPM があるかどうかは証拠からは分かりません。TPM のない PC では、ソフトウェアのキーで正常です。' : ''}`,
    reregister:
      'Windows が TPM にキーを作成するよう、デバイスを登録し直してください。ハイブリッド参加の場合は、管理者として `dsregcmd /leave` を実行して再起動し、次のサインインで参加し直させます。Entra 参加の場合は、設定 > アカウント > 職場または学校にアクセスする で切断してから参加し直します（ローカル管理者アカウントを用意しておいてください）。その後、dsregcmd で TpmProtected : YES になっていることを確認します。',
    actionReady: (p: { reregister: string }) => `TPM は現在使用可能です。${p.reregister}`,
    actionFixTpm: (p: { reregister: string }) =>
      `先に TPM の検出事項に対処してください（TPM が失敗したためにキーが TPM の外に置かれました）。そのうえで、${p.reregister}`,
  },
  'entra.no-prt': {
    title: 'サインインしているユーザーに Entra ID のプライマリ更新トークン（PRT）がありません',
    why: 'PRT は Windows が Entra ID へのサインインに使うトークンで、TPM 内のデバイス キーに結び付いています。PRT がないと、シングル サインオンと条件付きアクセスが失敗し（「準拠デバイスが必要」のポリシーでユーザーがブロックされます）、Windows Hello for Business が動作せず、ポータル サイトとユーザー対象の Intune ポリシーも認証できません。',
    actionLockout:
      'TPM が辞書攻撃を防御しているため、Windows はデバイス キーを使えません。ロックアウトが解除されるのを待つ（Get-Tpm の LockoutHealTime）か、管理者としてリセットし（tpm.msc >「TPM のロックアウトのリセット」）、PC をロックしてロック解除し、Windows に PRT を取得させてください。tpm.msc にロックアウトのリセットがない場合は、UEFI の設定を探し、ほかの操作をする前にハードウェア ベンダーに問い合わせてください。',
    blocksClear:
      'TPM は辞書攻撃対策のロックアウト中です（TPM-WMI 1026 / NTE_AUTHENTICATION_IGNORED）。解除されるのを待つか、ロックアウトをリセットしてください。ロックアウトは TPM のクリアで解決するものではありません。',
    actionFollowDeviceKey:
      'entra.device-key-unusable に従ってください。使用できるデバイス キーがないと、Windows は PRT を取得できません。',
    actionSignInAgain: (p: { healed: boolean }) =>
      `${p.healed ? '以前の TPM のロックアウトは解除されています。' : ''}PC が login.microsoftonline.com に接続できる状態で、PC をロックしてロック解除し（またはサインアウトしてサインインし直し）、ユーザーとして \`dsregcmd /status\` を実行してください。AzureAdPrt が YES になるはずです。ならない場合は、SSO State の Attempt Status と Server Error Code が理由を示しています。`,
  },
  'hello.not-provisioned': {
    title: 'サインインしているユーザーに Windows Hello が設定されていません',
    why: (p: { cleared: boolean }) =>
      `${p.cleared ? 'TPM がクリアされ、Windows Hello のキーは TPM 内にありました。' : ''}Windows Hello のキーがないと、ユーザーは PIN や生体認証でサインインできません。Windows Hello for Business が必須の環境（パスワードレス サインイン、フィッシング耐性のある MFA、証明書信頼）では、設定するまでサインインとオンプレミス リソースへのシングル サインオンが失敗します。`,
    action:
      'ユーザーが PRT を取得してから（dsregcmd で AzureAdPrt : YES）、PIN を設定し直してください: 設定 > アカウント > サインイン オプション > PIN (Windows Hello) > セットアップ。その後、dsregcmd で NgcSet : YES を確認します。',
  },
  'bitlocker.not-read': {
    title: 'OS ボリュームの BitLocker キー保護機能が分かりません',
    why: 'BitLocker のキー保護機能が読み取れていないため、OS ボリュームに回復パスワードがあるかどうかを誰も判断できません。回復パスワードがない場合、TPM のクリア（やファームウェアの変更）で起動時に BitLocker が回復パスワードを求め、データが失われます。',
    action:
      'Get-BitLockerVolume と manage-bde -protectors -get を読み取れるよう、管理者として証拠を収集し直してください（tpm-doctor collect、または管理者として開いた PowerShell で collect-evidence.ps1 -Full）。',
    blocksClear:
      'BitLocker のキー保護機能が不明です。回復パスワードのないボリュームがあれば、そのデータが失われます',
  },
  'bitlocker.recovery-backup-failed': {
    title: 'BitLocker が回復パスワードをバックアップできませんでした',
    why: 'BitLocker は、回復パスワードを Entra ID にバックアップできなかったこと（またはサイレント暗号化に失敗してボリュームが保護されないままになったこと）を記録しています。TPM のクリア後、BitLocker はその回復パスワードを求めます。バックアップされていなければ、誰もボリュームのロックを解除できません。',
    action:
      'バックアップを妨げた原因を取り除き（イベントのエラー コードを確認します。0x80072f9a などの WinHTTP エラーはネットワークやプロキシが原因です）、回復キーをバックアップしてください: `BackupToAAD-BitLockerKeyProtector -MountPoint C: -KeyProtectorId <RecoveryPassword の ID>`。その後、Intune でそのデバイスに回復キーが表示されることを確認します。',
    blocksClear:
      '最近、Entra ID への回復パスワードのバックアップが失敗しています。回復キーがバックアップされていない可能性があります',
  },
  'bitlocker.tpm-protector-missing': {
    title: (p: { volume: string }) => `BitLocker ボリューム ${p.volume} に TPM 保護機能がありません`,
    whyOn: (p: { volume: string }) =>
      `起動時に ${p.volume} を自動でロック解除するものがないため、起動のたびにスタートアップ キー、パスワード、または回復パスワードを求められます。デバイス正常性構成証明でも TPM による BitLocker として認識されません。`,
    whyOff: (p: { volume: string }) =>
      `${p.volume} は暗号化されていますが保護がオフで、保護を再開するための TPM 保護機能もありません。ボリュームのキーはディスクから読み取れる状態で、Intune は BitLocker がデバイスを保護していないと報告します。`,
    action: (p: { volume: string; on: boolean }) =>
      `TPM の準備ができたら、TPM 保護機能を追加してください: \`manage-bde -protectors -add ${p.volume} -TPM\`（または Add-BitLockerKeyProtector -MountPoint ${p.volume} -TpmProtector）${p.on ? '' : `。続けて \`Resume-BitLocker -MountPoint ${p.volume}\` を実行します`}。その後、デバイス正常性構成証明が新しい状態を測定するよう再起動してください。`,
  },
  'bitlocker.suspended': {
    titlePlanned: (p: { volume: string; restarts: number }) =>
      `${p.volume} の BitLocker は、あと ${p.restarts} 回の再起動まで一時停止されています`,
    titleOff: (p: { volume: string }) => `${p.volume} の BitLocker の保護がオフになっています`,
    why: (p: { volume: string; planned: boolean }) =>
      `保護がオフの間、${p.volume} を復号するキーは暗号化されずにディスクに保存されています。${p.planned ? 'これは計画された一時停止（ファームウェア更新や TPM のクリアのため）で、BitLocker は自動で再開します。' : '自動で再開されることはなく、保護を再開して PC を再起動するまで、Intune はデバイスを BitLocker で保護されていないと報告します。'}`,
    actionWait: (p: { volume: string; restarts: number }) =>
      `${p.volume} の BitLocker は、あと ${p.restarts} 回再起動すると自動で再開します。その後、ProtectionStatus が On であることを確認してください。`,
    actionResume: (p: { volume: string; tpmProtector: boolean }) =>
      `${p.tpmProtector ? '' : '先に TPM 保護機能を追加してください（bitlocker.tpm-protector-missing を参照）。そのうえで、'}\`Resume-BitLocker -MountPoint ${p.volume}\`（または \`manage-bde -protectors -enable ${p.volume}\`）を実行して再起動し、デバイス正常性構成証明に BitLocker がオンであると報告させてください。`,
  },
  'mdm.not-enrolled': {
    title: 'PC が Intune に登録されていません',
    why: (p: { providerId: string }) =>
      `ProviderID が「${p.providerId}」の MDM 登録がないため、Intune はこの PC と同期できません。ポリシーは届かず、コンプライアンスも報告されず、準拠デバイスを求める条件付きアクセスでユーザーがブロックされます。`,
    action:
      'PC を Intune に登録し直してください。Entra 参加の PC では 設定 > アカウント > 職場または学校にアクセスする から登録します（dsregcmd の MdmUrl が空の場合、ユーザーが Entra ID の MDM ユーザー スコープに含まれていません）。ハイブリッド参加の PC では、グループ ポリシー「既定の Microsoft Entra 資格情報を使用して MDM の自動登録を有効にします」を使います。その後、Enrollments キーと最初の同期を確認してください。',
  },
  'autopilot.attestation-failed': {
    clock:
      'まず時刻を確認してください。リアルタイム クロックが数分ずれているだけで構成証明は失敗します。ネットワークに接続した状態で、OOBE の最初に `w32tm /resync /force` を実行します。',
    why: 'Autopilot の事前プロビジョニングと自己展開モードでは、Entra ID への参加と Intune への登録の前に、TPM の構成証明でデバイスを証明します。構成証明が失敗すると展開は「ハードウェアをセキュリティで保護しています」で止まり、PC は管理対象にも準拠にもなりません。',
    titleCode: (p: { code: string; name: string }) =>
      `Autopilot の TPM 構成証明が失敗しました: ${p.code}（${p.name}）`,
    codes: {
      '0x81039001': {
        name: 'E_AUTOPILOT_CLIENT_TPM_MAX_ATTESTATION_RETRY_EXCEEDED、断続的なエラー',
        action: (p: { clock: string }) =>
          `再試行してください。Microsoft はこの「ハードウェアをセキュリティで保護しています」での失敗を断続的なものと説明しており、通常は後の試行で成功します。${p.clock}リセットする前に \`MdmDiagnosticsTool.exe -area Autopilot;TPM -cab c:\\autopilot.cab\` で情報を収集してください。`,
      },
      '0x81039023': {
        name: 'Windows 11 での TPM 構成証明の失敗、2022 年 5 月の累積更新プログラムで修正',
        action: (_p: { clock: string }) =>
          '2022 年 5 月以降の累積更新プログラム（Windows 11: KB5013943、Windows 10: KB5013942）をイメージに適用してから、展開をやり直してください。',
      },
      '0x81039024': {
        name: 'TPM に既知の脆弱性を検出',
        action: (_p: { clock: string }) =>
          'PC メーカーの Web サイトから TPM ファームウェアを更新してから、展開をやり直してください。TPM のクリアは更新の後に限ります。そうすれば、修正済みのファームウェアで鍵が生成し直されます。',
      },
      '0x80070490': {
        name: 'ASP ファームウェア TPM を搭載した AMD プラットフォーム',
        action: (_p: { clock: string }) =>
          '修正済みの AMD fTPM ファームウェアを含む BIOS/ファームウェア更新をインストールしてから（メーカーのリリース ノートを参照）、展開をやり直してください。',
      },
      '0x800705b4': {
        name: 'タイムアウト、デバイスが TPM 2.0 に対応していない（仮想マシンなど）',
        action: (p: { clock: string }) =>
          `自己展開モードと事前プロビジョニングの構成証明には物理的な TPM 2.0 が必要です。このデバイスはユーザー ドリブン モードで展開するか、TPM 2.0 搭載のハードウェアを使ってください。物理ハードウェアの場合は、UEFI の設定で TPM が 2.0 として有効になっていることを確認してください。${p.clock}`,
      },
      '0x801c03ea': {
        name: 'TPM の構成証明に失敗したため、デバイス トークンで Entra ID に参加できない',
        action: (p: { clock: string }) =>
          `TPM が TPM 2.0 として動作しているかを確認し、2.0 に対応していればファームウェアを 2.0 に更新してください（Microsoft の説明:「デバイスにはバージョン 2.0 をサポートする TPM チップがあるが、アップグレードされていない」）。また、デバイスが異なる Autopilot プロファイルを割り当てられた 2 つのグループに属していないことも確認してください。${p.clock}`,
      },
    },
    blocksClearVulnerable:
      'TPM ファームウェアに既知の脆弱性があります（Autopilot 0x81039024）。先にファームウェアを更新し、その後で TPM をクリアして鍵を生成し直してください',
    titleTimedOutInfineon:
      'Autopilot の TPM 構成証明がタイムアウトしました（Infineon SLB9672 ファームウェア 15.22）',
    titleTimedOut: 'Autopilot の TPM 構成証明がタイムアウトしました',
    actionTimedOut: (p: { infineon: boolean; clock: string }) =>
      `${p.infineon ? 'ファームウェア 15.22 の Infineon SLB9672 TPM は、構成証明がタイムアウトで失敗します。' : '構成証明がタイムアウトしました（ファームウェア 15.22 の Infineon SLB9672 TPM で知られている問題です）。'}PC メーカーに TPM ファームウェアの更新を依頼してください。${p.clock}`,
    titleIdentity: 'Autopilot が TPM の ID を確立できませんでした',
    actionIdentity: (p: { clock: string }) =>
      `再起動してから展開をやり直してください。${p.clock}また失敗する場合は、\`MdmDiagnosticsTool.exe -area Autopilot;TPM -cab c:\\autopilot.cab\` で情報を収集し、BIOS/TPM ファームウェアを更新してください。`,
  },
  'secureboot.ca-update-pending': {
    title: 'セキュア ブート証明書の更新が保留中です（TPM の障害ではありません）',
    why: 'TPM-WMI は、ファームウェア内のセキュア ブート証明書（CA/キー）に 2023 年版への更新が必要だと報告しています。これらの TPM-WMI イベント（1801 はエラーとして記録されます）は TPM の問題と誤解されがちですが、TPM の問題ではありません。TPM、BitLocker、Intune の同期には影響がなく、TPM をクリアしても役に立ちません（鍵が消えるだけです）。更新しないままだと、2011 年版の証明書の期限が切れた後、デバイスは新しいセキュア ブートの保護を受け取れなくなります。',
    action: (p: { firmwareRefused: boolean }) =>
      `TPM に対して行うことはなく、これを理由に TPM をクリアしないでください。Windows を最新の状態に保ち（新しい証明書は Windows が自分で適用します）、${p.firmwareRefused ? 'OEM のファームウェア更新をインストールしてください。ファームウェアが更新を拒否しています（1795/1796）。' : 'OEM のファームウェア更新をインストールしてください。'}更新によって BitLocker 回復が発生すると Windows が報告する場合は、再起動 2 回分 BitLocker を一時停止してください（\`Suspend-BitLocker -MountPoint C: -RebootCount 2\`）。TPM-WMI がイベント 1808「This device has updated Secure Boot CA/keys」を記録すれば更新は完了です。`,
  },
} as const satisfies FindingTranslation;
