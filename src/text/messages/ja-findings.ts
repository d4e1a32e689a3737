import { formatDuration } from '../duration.js';
import type { FindingTranslation } from './translation.js';

/**
 * Finding texts in Japanese, keyed by finding ID as en-findings.ts (a test keeps the two key for
 * key). Commands, flags and TCG names stay as they are typed, with spaces around them so a line
 * never breaks inside one.
 */
export const JA_FINDINGS = {
  'tpm.lockout': {
    title: 'TPMが認証の連続失敗によりロックアウトされています（辞書攻撃対策のロックアウト）',
    why: 'ロックアウト中のTPMは、パスワードやPINで保護された鍵を、正しい値を入力しても一切使わせません。Windows HelloのPINによるサインイン、BitLockerのTPM+PINによるロック解除、Entra IDとIntuneの同期に使うデバイスキーがすべて失敗します（NTE_AUTHENTICATION_IGNORED 0x80090031、TPM-WMIイベント1026）。',
    waitCounted: (p: { waitSeconds: number; intervalSeconds: number; toForgive: number; failed: number }) =>
      `デバイスの電源を入れたまま、約${formatDuration(p.waitSeconds, 'ja')}待ってください（TPMは電源が入っている間、${formatDuration(p.intervalSeconds, 'ja')}ごとに失敗を1回分ずつ取り消します。記録された失敗${p.failed}回のうち${p.toForgive}回分が取り消されると、再び認証を受け付けます）。`,
    waitHealTime: (p: { healTime: string }) =>
      `デバイスの電源を入れたまま待ってください。TPMは電源が入っている間、${p.healTime}ごとに失敗を1回分ずつ取り消し、回数が上限を下回るとロックアウトが解除されます。`,
    waitUnknown: 'デバイスの電源を入れたまま待ってください。TPMは時間の経過とともに失敗回数を取り消します。',
    reset:
      'ロックアウト認証でロックアウトをリセットします。Windowsでは管理者として Unblock-Tpm を実行するか、tpm.msc の「TPMロックアウトのリセット」を使います（Windowsはプロビジョニング時に保存したロックアウト値を使います）。Linuxではロックアウトパスワードを指定して tpm2_dictionarylockout --clear-lockout を実行します',
    noGuess: (p: { recoverySeconds: number | null }) =>
      `ロックアウト認証の値を推測で入力しないでください。1回でも誤った値を入力すると、リセットも TPM2_Clear も${p.recoverySeconds === null ? ' LOCKOUT_RECOVERY の時間' : formatDuration(p.recoverySeconds, 'ja')}の間ブロックされ（TPM_RC_LOCKOUT 0x921）、しかもTPMはロックアウト状態として報告しません。`,
    cause:
      'そのうえで、何が失敗し続けているのかを突き止めてください。忘れられたWindows HelloやBitLockerのPIN、誤ったTPMキーのパスワードを使うアプリやスクリプト、繰り返される電源断（正常にシャットダウンされないたびに失敗1回と数えられます）などが考えられます。',
    actionMaxZero: (p: { reset: string; noGuess: string }) =>
      `MAX_AUTH_FAIL が0のため、0以外の上限を設定するまで、TPMは辞書攻撃保護の対象となる認証をすべて拒否します。ロックアウト認証でDAパラメーターを設定し直し（Windowsの既定値は32。Linuxでは tpm2_dictionarylockout --setup-parameters --max-tries 32）、そのうえで${p.reset}。${p.noGuess}`,
    actionNeverHeals: (p: { reset: string; noGuess: string; cause: string }) =>
      `このTPMは時間が経っても失敗回数を取り消しません（LOCKOUT_INTERVAL が0）。${p.reset}。${p.noGuess}${p.cause}`,
    actionWait: (p: { wait: string; reset: string; noGuess: string; cause: string }) =>
      `${p.wait}待てない場合は、${p.reset}。${p.noGuess}${p.cause}`,
    blocksClear:
      'TPMは辞書攻撃対策のロックアウト中です。待つかロックアウトのリセットで回復するため、クリアすると一時的な状態から抜けるためだけにすべての鍵を消去することになり、認証が失敗し続ける原因も分からなくなります。',
  },
  'tpm.lockout-counter-high': {
    title: 'TPMに認証の失敗が多数記録されており、ロックアウト寸前です',
    why: 'あと数回失敗するとTPMがロックアウトされ、回復するまで、Windows HelloのPINによるサインイン、BitLockerのTPM+PIN、Entra IDとIntuneの同期に使うデバイスキーが使えなくなります。',
    healCounted: (p: { seconds: number }) =>
      `電源が入った状態で約${formatDuration(p.seconds, 'ja')}経過すると、カウンターは0に戻ります。`,
    healUnknown: 'TPMは電源が入っている間、時間の経過とともに失敗回数を取り消します。',
    action: (p: { heal: string }) =>
      `まだリセットの必要はありません。${p.heal}その間に、何が失敗しているのかを突き止めてください。Windows HelloやBitLockerのPINの入力ミス、誤ったTPMキーのパスワードを使うアプリ、繰り返される不正なシャットダウン（1回ごとに失敗1回と数えられます）などが考えられます。`,
  },
  'tpm.reduced-functionality': {
    title: 'TPMが機能制限の状態で動作しています。再プロビジョニングにはTPMのクリアが必要です',
    why: 'Windowsが保存しているストレージルートキー（SRK）と所有者認証がTPMと一致しなくなっているため、Windowsは新しいTPMキーを作成できません。Entra IDへのデバイス登録とそれに依存するIntuneの同期が失敗し、Windows Helloを設定できず、コンプライアンスではTPMが準備未完了と報告されます。再起動や更新では直らず、TPMをクリアして初めてWindowsがTPMを新しくプロビジョニングできます。',
    action:
      'ゲート付きの手順（tpm-doctor clear）でTPMをクリアしてください。BitLocker回復キーがEntra ID/ADにエスクローされていて一致していること、BitLockerを再起動2回分一時停止すること、ファームウェアの確認画面に管理者が立ち会うことが条件です。そのあとWindowsにTPMを再プロビジョニングさせ、サインインしてWindows HelloのPINを設定し直し、Intuneと同期してください。',
  },
  'bitlocker.no-recovery-password': {
    title: (p: { volume: string }) => `BitLockerボリューム ${p.volume} に回復パスワードがありません`,
    why: (p: { volume: string }) =>
      `${p.volume} はTPMだけでロック解除されています。TPMのクリア、ファームウェアやセキュアブートの変更、マザーボードの交換を行うと、起動時にBitLocker回復キー（回復パスワード）の入力を求められますが、このボリュームには回復パスワードがないため、データを失います。存在しないキーはIntuneにエスクローすることもできません。`,
    action: (p: { volume: string }) =>
      `回復パスワードを追加してエスクローしてください: \`manage-bde -protectors -add ${p.volume} -RecoveryPassword\` を実行し、続けて \`BackupToAAD-BitLockerKeyProtector -MountPoint ${p.volume} -KeyProtectorId <新しいID>\`（AD DSの場合は Backup-BitLockerKeyProtector）を実行して、Intuneでそのデバイスに回復キーが表示されることを確認します。`,
    blocksClear: (p: { volume: string }) =>
      `クリア後にボリューム ${p.volume} のロックを解除する回復パスワードがありません`,
  },
  'mdm.sync-failing': {
    titleStale: (p: { hours: number }) => `Intuneと${p.hours}時間同期していません`,
    titleFailing: 'Intuneとの同期セッションが失敗しています',
    why: 'Intuneはおよそ8時間ごとにチェックインします。セッションを完了できないPCは新しいポリシーを受け取れず、コンプライアンスの状態も報告しません。コンプライアンスの有効期間（既定で30日）を過ぎるとIntuneはそのPCを非準拠とし、条件付きアクセスによってユーザーがブロックされます。',
    actionDeviceDisabled:
      'Entra IDでデバイスオブジェクトが無効化または削除されているため、PCは同期のための認証ができません。Entra IDで有効に戻すか、削除されている場合はPCをもう一度参加させてIntuneに登録し直してください。',
    actionUpstream:
      '先にEntraまたはTPMの検出事項（entra.device-key-unusable、entra.no-prt、TPMのロックアウト、tpm.reduced-functionality）に対処してください。デバイスがTPMで認証できないために同期が失敗しており、その問題が直れば同期も再開します。',
    actionSync:
      '同期を開始し（設定 > アカウント > 職場または学校にアクセスする > 組織 > 情報 > 同期）、終わるまでPCをスリープさせないでください。数分から数時間かかることがあります。再び失敗する場合はPCを再起動してもう一度同期し、DeviceManagement-Enterprise-Diagnostics-Provider の Admin ログでエラーコードを確認してください。',
  },
  'tpm.stale-objects': {
    title: (p: { count: number }) =>
      `WindowsやLinuxの所有者が通常は持たないオブジェクトが、TPMに${p.count}個残っています`,
    why: '以前の所有者、OS、ツールが残した永続キーやNVインデックス（「金庫に残った古い情報」）には、前の所有者とともに消えるべき鍵やデータが含まれているおそれがあり、TPMの限られたNV領域も消費します。残っているだけで、同期、コンプライアンス、BitLocker、Windows Helloが壊れることはありません。',
    action:
      'これを理由に、正常に動作しているデバイスのTPMをクリアしないでください。クリアすると、現在使用中の鍵も消去されます。どのソフトウェアがこれらのオブジェクトを作成したかを調べ、使われていないと判明したものだけを所有者認証で削除します（tpm2_evictcontrol -C o -c HANDLE、tpm2_nvundefine INDEX）。デバイスの譲渡、売却、再インストールの際に、その作業の一環としてTPMをクリアしてください（tpm-doctor clear、ゲートあり）。',
  },
  'tpm.clear-disabled': {
    titleInTpm: 'TPMのクリアが無効化されています（disableClear）',
    titleWindows: 'WindowsからTPMをクリアできません（OwnerClearDisabled）',
    whyClearNeeded:
      '回復にはTPMのクリアが必要ですが（tpm.reduced-functionality を参照）、クリアが無効化されています。ファームウェアで設定を解除するまで、Clear-Tpm、tpm.msc、TPM2_Clear はいずれも TPM_RC_DISABLED で失敗します。',
    whyHarmless:
      'これだけで何かが壊れるわけではありませんが、デバイスの譲渡や再プロビジョニングの際にOSからTPMをクリアできません。誰かが意図的に設定したか、修復を妨げるためにソフトウェアが設定した可能性があります。',
    action:
      '変更する前に、誰がなぜ設定したのかを確認してください。解除するには、UEFIセットアップでTPMのクリアを許可します（ファームウェアがプラットフォーム認証で TPM2_ClearControl(NO) を送ります。OSからはできません）。クリアが必要な場合は、ファームウェアの物理プレゼンスインターフェイス（Clear-Tpm -UsePPI、PPI操作5または14）で要求することもできます。この方法では起動時にキーボードで確認し、EDK2ベースのファームウェアならクリアの前にフラグも解除されます。Linuxでプラットフォーム認証がある場合は tpm2_clearcontrol -C p c を実行します。',
    blocksClear:
      'TPMでクリアが無効化されています（disableClear / OwnerClearDisabled）。OSからのクリアは TPM_RC_DISABLED で失敗します。先にファームウェアで解除するか、ファームウェアのPPI経由でクリアしてください。',
  },
  'tpm.transient-leak': {
    title: (p: { count: number }) => `一時オブジェクトが${p.count}個、TPMに読み込まれたまま残っています`,
    why: (p: { full: boolean }) =>
      `リソースマネージャーを使わないクライアントが、オブジェクトを読み込んだまま終了しました。${p.full ? 'オブジェクトスロットがすでに尽きているため、' : 'わずかなオブジェクトスロットが尽きると、'}鍵の読み込みはすべて TPM_RC_OBJECT_MEMORY（0x902）で失敗し、解放されるまで、このTPMでのBitLockerのアンシール、Windows Hello、デバイスキーによる署名が失敗します。`,
    action:
      'デバイスを再起動するか（TPMのリセットで一時オブジェクトはすべて解放されます）、今すぐ tpm2_flushcontext -t で解放してください。そのうえで、オブジェクトを残しているクライアントを特定してください。ソフトウェアは /dev/tpm0 ではなくリソースマネージャー（Linuxでは /dev/tpmrm0）を使うべきです。',
  },
} as const satisfies FindingTranslation;
