; Inno Setup 6 script for gpdesk on Windows: `iscc installer\windows\gpdesk.iss` after
; `pyinstaller --noconfirm --distpath dist --workpath build installer\gpdesk.spec`.
; NOT BUILT OR RUN YET: written without a Windows machine (see installer/README.md, "Windows").
;
; Installs dist\gpdesk\ per user without administrator rights, or for everyone when run as
; administrator; adds a Start menu entry and the gpdesk:// link handler (HKCU or HKLM to match);
; the uninstaller removes both and leaves the practice's data (%LOCALAPPDATA%\gpdesk) alone.

#define AppName "gpdesk"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppExe "gpdesk.exe"

[Setup]
AppId={{6F1C2B3A-5D4E-4C8B-9A7F-1E2D3C4B5A69}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=gpdesk
AppComments=Signaleren aan het wijkteam, sociale kaart en terugkoppeling
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=gpdesk-setup-{#AppVersion}
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "dutch"; MessagesFile: "compiler:Languages\Dutch.isl"

[Files]
Source: "dist\gpdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Signaleren, sociale kaart en terugkoppeling"

[Registry]
; gpdesk:// links (the HIS's "open patient" link) start gpdesk.exe with the link as argument.
; HKA is HKCU for a per-user installation and HKLM for an installation for everyone.
Root: HKA; Subkey: "Software\Classes\gpdesk"; ValueType: string; ValueName: ""; ValueData: "URL:gpdesk-protocol"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\gpdesk"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\gpdesk\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\gpdesk\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "gpdesk starten"; Flags: nowait postinstall skipifsilent
