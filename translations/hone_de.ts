<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>Hone cannot open its database</source>
        <translation>Hone kann seine Datenbank nicht öffnen</translation>
    </message>
    <message>
        <source>Keep the old file aside and start a new database</source>
        <translation>Alte Datei beiseitelegen und eine neue Datenbank anlegen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Database moved aside</source>
        <translation>Datenbank beiseitegelegt</translation>
    </message>
    <message>
        <source>The old database was kept as %1.</source>
        <translation>Die alte Datenbank wurde als %1 aufbewahrt.</translation>
    </message>
    <message>
        <source>Hone</source>
        <translation>Hone</translation>
    </message>
</context>
<context>
    <name>hone::ui::MainWindow</name>
    <message>
        <source>Hone</source>
        <translation>Hone</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>Einstellungen gespeichert</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>Datenordner: %1</translation>
    </message>
</context>
<context>
    <name>hone::ui::SettingsPage</name>
    <message>
        <source>Where Hone keeps its database, runs, adapters and exports. Applies after a restart.</source>
        <translation>Wo Hone Datenbank, Läufe, Adapter und Exporte ablegt. Gilt nach einem Neustart.</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose the data folder</source>
        <translation>Datenordner wählen</translation>
    </message>
    <message>
        <source>&amp;Data folder:</source>
        <translation>&amp;Datenordner:</translation>
    </message>
    <message>
        <source>auto picks the first GPU LibTorch can use, else the CPU. cuda also means AMD GPUs with a ROCm build of LibTorch.</source>
        <translation>auto wählt die erste GPU, die LibTorch nutzen kann, sonst die CPU. cuda steht mit einem ROCm-Build von LibTorch auch für AMD-GPUs.</translation>
    </message>
    <message>
        <source>Default &amp;device:</source>
        <translation>Standard-&amp;Gerät:</translation>
    </message>
    <message>
        <source>Compute precision. auto: bf16 where the device supports it, else f32. f16 is a storage type on the CPU (computed in f32).</source>
        <translation>Rechengenauigkeit. auto: bf16, wo das Gerät es unterstützt, sonst f32. f16 ist auf der CPU nur ein Speicherformat (gerechnet wird in f32).</translation>
    </message>
    <message>
        <source>Default d&amp;type:</source>
        <translation>Standard-Daten&amp;typ:</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Farbschema:</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Saved. The data folder, language and theme apply when Hone starts next time.</source>
        <translation>Gespeichert. Datenordner, Sprache und Farbschema gelten beim nächsten Start von Hone.</translation>
    </message>
</context>
<context>
    <name>hone::ui::SystemPage</name>
    <message>
        <source>Runtime</source>
        <translation>Laufzeitumgebung</translation>
    </message>
    <message>
        <source>probing…</source>
        <translation>wird ermittelt…</translation>
    </message>
    <message>
        <source>LibTorch:</source>
        <translation>LibTorch:</translation>
    </message>
    <message>
        <source>BLAS:</source>
        <translation>BLAS:</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>Datenordner:</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Datenbank:</translation>
    </message>
    <message>
        <source>Verdict:</source>
        <translation>Ergebnis:</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Compute devices</source>
        <translation>Rechengeräte</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>Befund</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>Abhilfe</translation>
    </message>
    <message>
        <source>Doctor checks</source>
        <translation>Diagnose</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Probe the machine again (F5)</source>
        <translation>Rechner erneut untersuchen (F5)</translation>
    </message>
    <message>
        <source>Show LibTorch build &amp;configuration</source>
        <translation>LibTorch-Build-&amp;Konfiguration anzeigen</translation>
    </message>
    <message>
        <source>%1 (%2 build, %3 threads)</source>
        <translation>%1 (%2-Build, %3 Threads)</translation>
    </message>
    <message>
        <source>Something blocks training — see the failed checks below.</source>
        <translation>Etwas verhindert das Training – siehe die fehlgeschlagenen Prüfungen unten.</translation>
    </message>
    <message>
        <source>Ready to train.</source>
        <translation>Bereit zum Training.</translation>
    </message>
    <message>
        <source>%1 cores / %2 threads, %3 available</source>
        <translation>%1 Kerne / %2 Threads, %3 verfügbar</translation>
    </message>
    <message>
        <source>usable by LibTorch</source>
        <translation>von LibTorch nutzbar</translation>
    </message>
    <message>
        <source>not usable by LibTorch</source>
        <translation>von LibTorch nicht nutzbar</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation>FEHLER</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
</context>
</TS>
