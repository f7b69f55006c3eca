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
    <name>hone::ui::ArenaPage</name>
    <message>
        <source>model folder or .gguf file</source>
        <translation>Modellordner oder .gguf-Datei</translation>
    </message>
    <message>
        <source>model&apos;s or adapter&apos;s own</source>
        <translation>vom Modell oder Adapter</translation>
    </message>
    <message>
        <source>&amp;Load both</source>
        <translation>Beide &amp;laden</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>Left:</source>
        <translation>Links:</translation>
    </message>
    <message>
        <source>Right:</source>
        <translation>Rechts:</translation>
    </message>
    <message>
        <source>Prompt for both sides (Ctrl+Return sends)</source>
        <translation>Prompt für beide Seiten (Strg+Eingabe sendet)</translation>
    </message>
    <message>
        <source>&amp;Send to both</source>
        <translation>An beide &amp;senden</translation>
    </message>
    <message>
        <source>Left is better</source>
        <translation>Links ist besser</translation>
    </message>
    <message>
        <source>Right is better</source>
        <translation>Rechts ist besser</translation>
    </message>
    <message>
        <source>Tie</source>
        <translation>Unentschieden</translation>
    </message>
    <message>
        <source>Both bad</source>
        <translation>Beide schlecht</translation>
    </message>
    <message>
        <source>Choose a model and an adapter for each side, then Load both.</source>
        <translation>Ein Modell und für jede Seite einen Adapter wählen, dann Beide laden.</translation>
    </message>
    <message>
        <source>Both sides are loaded: send a prompt.</source>
        <translation>Beide Seiten sind geladen: einen Prompt senden.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>Links</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>Rechts</translation>
    </message>
    <message>
        <source>TTFT %1 ms · %2 tok/s</source>
        <translation>TTFT %1 ms · %2 Token/s</translation>
    </message>
    <message>
        <source>Which reply is better?</source>
        <translation>Welche Antwort ist besser?</translation>
    </message>
    <message>
        <source>base model</source>
        <translation>Basismodell</translation>
    </message>
    <message>
        <source>run #%1 %2</source>
        <translation>Lauf #%1 %2</translation>
    </message>
    <message>
        <source>Choose a model folder or a .gguf file first.</source>
        <translation>Zuerst einen Modellordner oder eine .gguf-Datei wählen.</translation>
    </message>
    <message>
        <source>Loading both sides…</source>
        <translation>Beide Seiten werden geladen…</translation>
    </message>
    <message>
        <source>Load both sides first.</source>
        <translation>Zuerst beide Seiten laden.</translation>
    </message>
    <message>
        <source>Both sides are answering…</source>
        <translation>Beide Seiten antworten…</translation>
    </message>
    <message>
        <source>The vote could not be stored: %1</source>
        <translation>Die Stimme konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Vote stored. Send another prompt.</source>
        <translation>Stimme gespeichert. Einen weiteren Prompt senden.</translation>
    </message>
    <message>
        <source>%1 votes so far: left %2, right %3, tie %4, both bad %5</source>
        <translation>Bisher %1 Stimmen: links %2, rechts %3, unentschieden %4, beide schlecht %5</translation>
    </message>
</context>
<context>
    <name>hone::ui::ChatPage</name>
    <message>
        <source>model folder or .gguf file</source>
        <translation>Modellordner oder .gguf-Datei</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>A run&apos;s adapter, a checkpoint or any PEFT folder; applied on the fly</source>
        <translation>Der Adapter eines Laufs, ein Checkpoint oder ein beliebiger PEFT-Ordner; wird zur Laufzeit angewendet</translation>
    </message>
    <message>
        <source>model&apos;s or adapter&apos;s own</source>
        <translation>vom Modell oder Adapter</translation>
    </message>
    <message>
        <source>optional system prompt</source>
        <translation>optionaler System-Prompt</translation>
    </message>
    <message>
        <source>model default</source>
        <translation>Modellvorgabe</translation>
    </message>
    <message>
        <source>Calculator</source>
        <translation>Rechner</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>Datum und Uhrzeit</translation>
    </message>
    <message>
        <source>Hone&apos;s runs (read-only)</source>
        <translation>Hones Läufe (nur lesen)</translation>
    </message>
    <message>
        <source>hosts HTTP GET may reach, e.g. example.com;*.wikipedia.org</source>
        <translation>Hosts, die HTTP GET erreichen darf, z. B. example.com;*.wikipedia.org</translation>
    </message>
    <message>
        <source>folder the model may read (empty: none)</source>
        <translation>Ordner, den das Modell lesen darf (leer: keiner)</translation>
    </message>
    <message>
        <source>&amp;Load</source>
        <translation>&amp;Laden</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>&amp;Adapter:</source>
        <translation>&amp;Adapter:</translation>
    </message>
    <message>
        <source>&amp;Template:</source>
        <translation>&amp;Vorlage:</translation>
    </message>
    <message>
        <source>S&amp;ystem:</source>
        <translation>S&amp;ystem:</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>Temperatur:</translation>
    </message>
    <message>
        <source>Top-p:</source>
        <translation>Top-p:</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k:</translation>
    </message>
    <message>
        <source>Max tokens:</source>
        <translation>Max. Token:</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>Dateien:</translation>
    </message>
    <message>
        <source>HTTP:</source>
        <translation>HTTP:</translation>
    </message>
    <message>
        <source>MCP:</source>
        <translation>MCP:</translation>
    </message>
    <message>
        <source>Choose a model and press Load.</source>
        <translation>Modell wählen und Laden drücken.</translation>
    </message>
    <message>
        <source>Message (Ctrl+Return sends)</source>
        <translation>Nachricht (Strg+Eingabe sendet)</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Senden</translation>
    </message>
    <message>
        <source>Send (Ctrl+Return)</source>
        <translation>Senden (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Sto&amp;p</source>
        <translation>Sto&amp;pp</translation>
    </message>
    <message>
        <source>Stop the reply (Escape)</source>
        <translation>Antwort anhalten (Escape)</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Arguments</source>
        <translation>Argumente</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <source>Loaded: %1</source>
        <translation>Geladen: %1</translation>
    </message>
    <message>
        <source>running…</source>
        <translation>läuft…</translation>
    </message>
    <message>
        <source>**Tool call:** `%1` %2

</source>
        <translation>**Werkzeugaufruf:** `%1` %2

</translation>
    </message>
    <message>
        <source>**Result of `%1`:**

</source>
        <translation>**Ergebnis von `%1`:**

</translation>
    </message>
    <message>
        <source>TTFT %1 ms · %2 tok/s · prompt %3 tokens, %4 prefilled, %5 reused from the cache</source>
        <translation>TTFT %1 ms · %2 Token/s · Prompt %3 Token, %4 neu berechnet, %5 aus dem Cache</translation>
    </message>
    <message>
        <source>*Thinking:*

</source>
        <translation>*Überlegung:*

</translation>
    </message>
    <message>
        <source>**Assistant:** </source>
        <translation>**Assistent:** </translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>Bereit.</translation>
    </message>
    <message>
        <source>Run a tool?</source>
        <translation>Werkzeug ausführen?</translation>
    </message>
    <message>
        <source>The model wants to run %1, which can change things outside the chat, with:

%2

Run it?</source>
        <translation>Das Modell möchte %1 ausführen, das außerhalb des Chats etwas ändern kann, mit:

%2

Ausführen?</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>run #%1 %2</source>
        <translation>Lauf #%1 %2</translation>
    </message>
    <message>
        <source>Choose a model folder or a .gguf file first.</source>
        <translation>Zuerst einen Modellordner oder eine .gguf-Datei wählen.</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 wird geladen…</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>Zuerst ein Modell laden.</translation>
    </message>
    <message>
        <source>**You:**

</source>
        <translation>**Sie:**

</translation>
    </message>
    <message>
        <source>Generating… (Escape stops)</source>
        <translation>Wird erzeugt… (Escape hält an)</translation>
    </message>
    <message>
        <source>Stored chats: double-click (or Enter) reopens one with its model and adapter</source>
        <translation>Gespeicherte Chats: Doppelklick (oder Eingabe) öffnet einen mit Modell und Adapter</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Neuer Chat</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Chats</translation>
    </message>
    <message>
        <source>**Tool result:**

</source>
        <translation>**Werkzeugergebnis:**

</translation>
    </message>
    <message>
        <source>The stored chats cannot be read: %1</source>
        <translation>Die gespeicherten Chats können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>The chat could not be saved: %1</source>
        <translation>Der Chat konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>1 (normal chat)</source>
        <translation>1 (normaler Chat)</translation>
    </message>
    <message>
        <source>Sample this many answers to each message from one prefill of the prompt and show them side by side; the answer most samples agree on continues the chat (no tools run). Needs a temperature above 0 for the answers to differ.</source>
        <translation>So viele Antworten auf jede Nachricht aus einem einzigen Prefill des Prompts ziehen und nebeneinander zeigen; die Antwort, auf die sich die meisten Stichproben einigen, setzt den Chat fort (es laufen keine Werkzeuge). Damit sich die Antworten unterscheiden, muss die Temperatur über 0 liegen.</translation>
    </message>
    <message>
        <source>Best of:</source>
        <translation>Beste aus:</translation>
    </message>
    <message>
        <source>Tool calls: none yet</source>
        <translation>Werkzeugaufrufe: noch keine</translation>
    </message>
    <message>
        <source>Tool calls of this chat per format: read cleanly, read after repairing a near-miss (e.g. a missing brace or quote), and not readable</source>
        <translation>Werkzeugaufrufe dieses Chats je Format: sauber gelesen, nach Reparatur eines Beinahe-Treffers gelesen (z. B. fehlende Klammer oder fehlendes Anführungszeichen) und nicht lesbar</translation>
    </message>
    <message>
        <source>Sampling %1 answers… (Escape stops)</source>
        <translation>%1 Antworten werden gezogen… (Escape bricht ab)</translation>
    </message>
    <message>
        <source>Answer %1 ✔ chosen (%2 of %3 agree)</source>
        <translation>Antwort %1 ✔ gewählt (%2 von %3 stimmen überein)</translation>
    </message>
    <message>
        <source>Answer %1</source>
        <translation>Antwort %1</translation>
    </message>
    <message>
        <source>%1 tokens at %2 tok/s, stopped by %3; compared as: %4</source>
        <translation>%1 Tokens mit %2 Tok./s, beendet durch %3; verglichen als: %4</translation>
    </message>
    <message>
        <source>Thinking: %1

%2</source>
        <translation>Überlegung: %1

%2</translation>
    </message>
    <message>
        <source>%1: %2 parsed, %3 repaired, %4 failed</source>
        <translation>%1: %2 gelesen, %3 repariert, %4 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Tool calls: %1</source>
        <translation>Werkzeugaufrufe: %1</translation>
    </message>
    <message>
        <source>MCP config file ({&quot;mcpServers&quot;: {...}}), empty: none</source>
        <translation>MCP-Konfigurationsdatei ({&quot;mcpServers&quot;: {...}}), leer: keine</translation>
    </message>
    <message>
        <source>A JSON file with &quot;mcpServers&quot;: {name: {command, args, env, cwd}}: the MCP servers to start. Their tools ask before they run unless the server marks them read-only.</source>
        <translation>Eine JSON-Datei mit &quot;mcpServers&quot;: {name: {command, args, env, cwd}}: die zu startenden MCP-Server. Ihre Werkzeuge fragen vor dem Ausführen nach, außer der Server kennzeichnet sie als nur lesend.</translation>
    </message>
    <message>
        <source>Choose the MCP config file</source>
        <translation>MCP-Konfigurationsdatei wählen</translation>
    </message>
    <message>
        <source>MCP config file</source>
        <translation>MCP-Konfigurationsdatei</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON-Dateien (*.json);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>hone::ui::DataPage</name>
    <message>
        <source>&amp;Open dataset…</source>
        <translation>&amp;Datensatz öffnen…</translation>
    </message>
    <message>
        <source>No file open: open a JSONL, JSON or CSV file, or drop one here.</source>
        <translation>Keine Datei geöffnet: JSONL-, JSON- oder CSV-Datei öffnen oder hierher ziehen.</translation>
    </message>
    <message>
        <source>Auto (detect)</source>
        <translation>Automatisch (erkennen)</translation>
    </message>
    <message>
        <source>Model&apos;s own</source>
        <translation>Vom Modell</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>&amp;Format:</translation>
    </message>
    <message>
        <source>&amp;Template:</source>
        <translation>&amp;Vorlage:</translation>
    </message>
    <message>
        <source>&amp;Max length:</source>
        <translation>&amp;Maximale Länge:</translation>
    </message>
    <message>
        <source>No model chosen</source>
        <translation>Kein Modell gewählt</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>Zeilen</translation>
    </message>
    <message>
        <source>Selected row as the model sees it</source>
        <translation>Ausgewählte Zeile, wie das Modell sie sieht</translation>
    </message>
    <message>
        <source>Token lengths</source>
        <translation>Token-Längen</translation>
    </message>
    <message>
        <source>Problems (double-click to show the row)</source>
        <translation>Probleme (Doppelklick zeigt die Zeile)</translation>
    </message>
    <message>
        <source>%1 trained on (the loss covers these tokens)   %2 context only   &lt;b&gt;bold&lt;/b&gt;: special tokens</source>
        <translation>%1 trainiert (der Loss umfasst diese Token)   %2 nur Kontext   &lt;b&gt;fett&lt;/b&gt;: Spezial-Token</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>Open a dataset</source>
        <translation>Datensatz öffnen</translation>
    </message>
    <message>
        <source>Datasets (*.jsonl *.ndjson *.json *.csv);;All files (*)</source>
        <translation>Datensätze (*.jsonl *.ndjson *.json *.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <source>%1 rows as %2 (chosen; detection says %3).</source>
        <translation>%1 Zeilen als %2 (gewählt; erkannt wurde %3).</translation>
    </message>
    <message>
        <source>%1 rows, detected as %2.</source>
        <translation>%1 Zeilen, erkannt als %2.</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) skipped (see Problems).</source>
        <translation>
            <numerusform>%n Zeile übersprungen (siehe Probleme).</numerusform>
            <numerusform>%n Zeilen übersprungen (siehe Probleme).</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing to render: no row is usable.</source>
        <translation>Nichts darzustellen: keine Zeile ist verwendbar.</translation>
    </message>
    <message>
        <source>Select a row to see it rendered.</source>
        <translation>Zeile auswählen, um sie dargestellt zu sehen.</translation>
    </message>
    <message>
        <source>Line %1 is not used for training: %2</source>
        <translation>Zeile %1 wird nicht zum Training verwendet: %2</translation>
    </message>
    <message numerus="yes">
        <source>Line %1: %n token(s)</source>
        <translation>
            <numerusform>Zeile %1: %n Token</numerusform>
            <numerusform>Zeile %1: %n Token</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n trained on</source>
        <translation>
            <numerusform>%n trainiert</numerusform>
            <numerusform>%n trainiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Longer than the max length %1: training drops this row; raise the max length or shorten the row.</source>
        <translation>Länger als die maximale Länge %1: Das Training verwirft diese Zeile; maximale Länge erhöhen oder Zeile kürzen.</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>file: %1</source>
        <translation>Datei: %1</translation>
    </message>
    <message>
        <source>fit the max length</source>
        <translation>passen in die maximale Länge</translation>
    </message>
    <message>
        <source>over the max length (dropped)</source>
        <translation>über der maximalen Länge (verworfen)</translation>
    </message>
    <message>
        <source>tokens per row (max length %1)</source>
        <translation>Token pro Zeile (maximale Länge %1)</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>Zeilen</translation>
    </message>
    <message>
        <source>No dataset open.</source>
        <translation>Kein Datensatz geöffnet.</translation>
    </message>
    <message>
        <source>No token lengths: no row of the file is usable (see above).</source>
        <translation>Keine Token-Längen: Keine Zeile der Datei ist verwendbar (siehe oben).</translation>
    </message>
    <message>
        <source>No token lengths: %1</source>
        <translation>Keine Token-Längen: %1</translation>
    </message>
    <message>
        <source>No row could be tokenized (see Problems).</source>
        <translation>Keine Zeile konnte tokenisiert werden (siehe Probleme).</translation>
    </message>
    <message>
        <source>%1 rows: min %2, median %3, p95 %4, max %5 tokens.</source>
        <translation>%1 Zeilen: min. %2, Median %3, p95 %4, max. %5 Token.</translation>
    </message>
    <message>
        <source>%1 over the max length %2: training drops them; raise the max length or truncate.</source>
        <translation>%1 über der maximalen Länge %2: Das Training verwirft sie; maximale Länge erhöhen oder kürzen.</translation>
    </message>
    <message>
        <source>All fit the max length %1.</source>
        <translation>Alle passen in die maximale Länge %1.</translation>
    </message>
    <message>
        <source>Line %1 could not be read as a row, so it is not in the table: fix it in the file (%2).</source>
        <translation>Zeile %1 konnte nicht als Zeile gelesen werden und fehlt daher in der Tabelle: in der Datei korrigieren (%2).</translation>
    </message>
</context>
<context>
    <name>hone::ui::DatasetRowsModel</name>
    <message>
        <source>skipped</source>
        <translation>übersprungen</translation>
    </message>
    <message>
        <source>This row is not used for training; see the problems list.</source>
        <translation>Diese Zeile wird nicht zum Training verwendet; siehe Problemliste.</translation>
    </message>
    <message>
        <source>Longer than the max length %1: training drops this row.</source>
        <translation>Länger als die maximale Länge %1: Das Training verwirft diese Zeile.</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Fields</source>
        <translation>Felder</translation>
    </message>
</context>
<context>
    <name>hone::ui::ExportPage</name>
    <message>
        <source>What to export</source>
        <translation>Was exportiert wird</translation>
    </message>
    <message>
        <source>Runs that saved an adapter or a checkpoint</source>
        <translation>Läufe, die einen Adapter oder Checkpoint gespeichert haben</translation>
    </message>
    <message>
        <source>the run&apos;s base model</source>
        <translation>das Basismodell des Laufs</translation>
    </message>
    <message>
        <source>The base model the adapter was trained on (a Hugging Face folder)</source>
        <translation>Das Basismodell, auf dem der Adapter trainiert wurde (ein Hugging-Face-Ordner)</translation>
    </message>
    <message>
        <source>&amp;Run:</source>
        <translation>&amp;Lauf:</translation>
    </message>
    <message>
        <source>&amp;Checkpoint:</source>
        <translation>&amp;Checkpoint:</translation>
    </message>
    <message>
        <source>Base &amp;model:</source>
        <translation>Basis&amp;modell:</translation>
    </message>
    <message>
        <source>Formats</source>
        <translation>Formate</translation>
    </message>
    <message>
        <source>PEFT adapter (for transformers/PEFT, vLLM)</source>
        <translation>PEFT-Adapter (für transformers/PEFT, vLLM)</translation>
    </message>
    <message>
        <source>Merged Hugging Face model (safetensors)</source>
        <translation>Zusammengeführtes Hugging-Face-Modell (safetensors)</translation>
    </message>
    <message>
        <source>GGUF (llama.cpp, LM Studio)</source>
        <translation>GGUF (llama.cpp, LM Studio)</translation>
    </message>
    <message>
        <source>Ollama (GGUF + Modelfile)</source>
        <translation>Ollama (GGUF + Modelfile)</translation>
    </message>
    <message>
        <source>as the base model</source>
        <translation>wie das Basismodell</translation>
    </message>
    <message>
        <source>Dtype of the merged weights and of the unquantised GGUF</source>
        <translation>Dtype der zusammengeführten Gewichte und des nicht quantisierten GGUF</translation>
    </message>
    <message>
        <source>A GGUF quantised to %1 (llama.cpp&apos;s per-tensor rules)</source>
        <translation>Ein auf %1 quantisiertes GGUF (Regeln von llama.cpp je Tensor)</translation>
    </message>
    <message>
        <source>&amp;Dtype:</source>
        <translation>&amp;Dtype:</translation>
    </message>
    <message>
        <source>Quantisations:</source>
        <translation>Quantisierungen:</translation>
    </message>
    <message>
        <source>an empty or new folder</source>
        <translation>ein leerer oder neuer Ordner</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Output folder:</source>
        <translation>&amp;Zielordner:</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <source>Export and check the result (Ctrl+E)</source>
        <translation>Exportieren und das Ergebnis prüfen (Strg+E)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Choose a run and the formats, then Export.</source>
        <translation>Lauf und Formate wählen, dann Exportieren.</translation>
    </message>
    <message>
        <source>Artifact</source>
        <translation>Artefakt</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Urteil</translation>
    </message>
    <message>
        <source>&amp;Open folder</source>
        <translation>Ordner ö&amp;ffnen</translation>
    </message>
    <message>
        <source>Check after export</source>
        <translation>Prüfung nach dem Export</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Export into</source>
        <translation>Exportieren nach</translation>
    </message>
    <message>
        <source>The runs cannot be read: %1</source>
        <translation>Die Läufe können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>final adapter</source>
        <translation>endgültiger Adapter</translation>
    </message>
    <message>
        <source>checkpoint at step %1</source>
        <translation>Checkpoint bei Schritt %1</translation>
    </message>
    <message>
        <source>No run with an adapter yet: train one on the Train page (or with `hone train`).</source>
        <translation>Noch kein Lauf mit Adapter: auf der Seite Training einen trainieren (oder mit `hone train`).</translation>
    </message>
    <message>
        <source>Tick at least one format.</source>
        <translation>Mindestens ein Format ankreuzen.</translation>
    </message>
    <message>
        <source>Quantisations apply to GGUF and Ollama: tick one of them, or untick the quantisations.</source>
        <translation>Quantisierungen gelten für GGUF und Ollama: eines davon ankreuzen oder die Quantisierungen abwählen.</translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation>Einen Zielordner wählen.</translation>
    </message>
    <message>
        <source>The output folder is a file: choose a folder.</source>
        <translation>Der Zielordner ist eine Datei: einen Ordner wählen.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Wird exportiert…</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <source>FAILED</source>
        <translation>FEHLGESCHLAGEN</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n file(s); every check passed.</source>
        <translation>
            <numerusform>%n Datei exportiert; jede Prüfung bestanden.</numerusform>
            <numerusform>%n Dateien exportiert; jede Prüfung bestanden.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported, but %n check(s) failed: see the table before using these files.</source>
        <translation>
            <numerusform>Exportiert, aber %n Prüfung fehlgeschlagen: vor der Verwendung dieser Dateien die Tabelle ansehen.</numerusform>
            <numerusform>Exportiert, aber %n Prüfungen fehlgeschlagen: vor der Verwendung dieser Dateien die Tabelle ansehen.</numerusform>
        </translation>
    </message>
    <message>
        <source>GGUF LoRA adapter (llama.cpp --lora)</source>
        <translation>GGUF-LoRA-Adapter (llama.cpp --lora)</translation>
    </message>
    <message>
        <source>The adapter alone in llama.cpp&apos;s format, applied over a GGUF of the base model (F32 when the dtype is f32, else F16). Adapters that added tokens cannot be written this way: export the merged GGUF instead.</source>
        <translation>Nur der Adapter im Format von llama.cpp, angewendet auf ein GGUF des Basismodells (F32, wenn der Datentyp f32 ist, sonst F16). Adapter, die Tokens hinzugefügt haben, lassen sich so nicht schreiben: exportieren Sie stattdessen das zusammengeführte GGUF.</translation>
    </message>
</context>
<context>
    <name>hone::ui::LiveChart</name>
    <message>
        <source>%1 (smoothed)</source>
        <translation>%1 (geglättet)</translation>
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
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Arena</source>
        <translation>Arena</translation>
    </message>
</context>
<context>
    <name>hone::ui::ModelTableModel</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Dtype</source>
        <translation>Dtype</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation>Größe auf dem Datenträger</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Chat-Vorlage</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>hone::ui::ModelsPage</name>
    <message>
        <source>Add folder…</source>
        <translation>Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Add GGUF file…</source>
        <translation>GGUF-Datei hinzufügen…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Select a model to see its details.</source>
        <translation>Modell auswählen, um Details zu sehen.</translation>
    </message>
    <message>
        <source>Memory estimate</source>
        <translation>Speicherschätzung</translation>
    </message>
    <message>
        <source>as stored</source>
        <translation>wie gespeichert</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batch-Größe:</translation>
    </message>
    <message>
        <source>Sequence length (tokens):</source>
        <translation>Sequenzlänge (Token):</translation>
    </message>
    <message>
        <source>LoRA rank:</source>
        <translation>LoRA-Rang:</translation>
    </message>
    <message>
        <source>Weights dtype:</source>
        <translation>Dtype der Gewichte:</translation>
    </message>
    <message>
        <source>LoRA training:</source>
        <translation>LoRA-Training:</translation>
    </message>
    <message>
        <source>Chat:</source>
        <translation>Chat:</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>Dieses Modell verwenden</translation>
    </message>
    <message>
        <source>Download from Hugging Face</source>
        <translation>Von Hugging Face herunterladen</translation>
    </message>
    <message>
        <source>organisation/name, e.g. Qwen/Qwen2.5-0.5B-Instruct</source>
        <translation>Organisation/Name, z. B. Qwen/Qwen2.5-0.5B-Instruct</translation>
    </message>
    <message>
        <source>access token (gated models)</source>
        <translation>Zugriffstoken (geschützte Modelle)</translation>
    </message>
    <message>
        <source>List files</source>
        <translation>Dateien auflisten</translation>
    </message>
    <message>
        <source>Model id:</source>
        <translation>Modell-ID:</translation>
    </message>
    <message>
        <source>Revision:</source>
        <translation>Revision:</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Add a folder with models</source>
        <translation>Ordner mit Modellen hinzufügen</translation>
    </message>
    <message>
        <source>Add a GGUF model file</source>
        <translation>GGUF-Modelldatei hinzufügen</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF-Modelle (*.gguf)</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) at commit %1.</source>
        <translation>
            <numerusform>%n Datei bei Commit %1.</numerusform>
            <numerusform>%n Dateien bei Commit %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>, %1 s left</source>
        <translation>, noch %1 s</translation>
    </message>
    <message>
        <source>, %1 min left</source>
        <translation>, noch %1 min</translation>
    </message>
    <message>
        <source>Downloading %1…</source>
        <translation>%1 wird heruntergeladen…</translation>
    </message>
    <message>
        <source>Downloaded into %1.</source>
        <translation>Heruntergeladen nach %1.</translation>
    </message>
    <message>
        <source>Looking for models…</source>
        <translation>Suche nach Modellen…</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s), %1 with a problem (see Status).</source>
        <translation>
            <numerusform>%n Modell, %1 mit einem Problem (siehe Status).</numerusform>
            <numerusform>%n Modelle, %1 mit einem Problem (siehe Status).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n model(s).</source>
        <translation>
            <numerusform>%n Modell.</numerusform>
            <numerusform>%n Modelle.</numerusform>
        </translation>
    </message>
    <message>
        <source>Revision: %1</source>
        <translation>Revision: %1</translation>
    </message>
    <message>
        <source>Architecture: %1 (%2)</source>
        <translation>Architektur: %1 (%2)</translation>
    </message>
    <message>
        <source>Parameters: %1 (%2)</source>
        <translation>Parameter: %1 (%2)</translation>
    </message>
    <message>
        <source>Dtype: %1</source>
        <translation>Dtype: %1</translation>
    </message>
    <message>
        <source>Layers: %1, hidden size: %2, intermediate: %3</source>
        <translation>Schichten: %1, Hidden Size: %2, Intermediate: %3</translation>
    </message>
    <message>
        <source>Attention heads: %1, KV heads: %2, head dim: %3</source>
        <translation>Attention-Heads: %1, KV-Heads: %2, Head-Dimension: %3</translation>
    </message>
    <message>
        <source>Vocabulary: %1, context: %2 tokens, RoPE theta: %3</source>
        <translation>Vokabular: %1, Kontext: %2 Token, RoPE-Theta: %3</translation>
    </message>
    <message>
        <source>Sliding window: %1</source>
        <translation>Gleitendes Fenster: %1</translation>
    </message>
    <message>
        <source>Tied input/output embeddings</source>
        <translation>Gekoppelte Ein-/Ausgabe-Embeddings</translation>
    </message>
    <message>
        <source>Separate output embeddings</source>
        <translation>Separate Ausgabe-Embeddings</translation>
    </message>
    <message>
        <source>Size on disk: %1</source>
        <translation>Größe auf dem Datenträger: %1</translation>
    </message>
    <message>
        <source>Chat template: yes</source>
        <translation>Chat-Vorlage: ja</translation>
    </message>
    <message>
        <source>Chat template: none (pick one, e.g. alpaca, when training)</source>
        <translation>Chat-Vorlage: keine (beim Training eine wählen, z. B. alpaca)</translation>
    </message>
    <message>
        <source>— (the model&apos;s configuration could not be read)</source>
        <translation>— (die Konfiguration des Modells konnte nicht gelesen werden)</translation>
    </message>
    <message>
        <source>%1 total = weights %2 + adapter and optimizer %3 + activations %4 + working set %5 + runtime %6</source>
        <translation>%1 gesamt = Gewichte %2 + Adapter und Optimizer %3 + Aktivierungen %4 + Arbeitsspeicher %5 + Laufzeit %6</translation>
    </message>
    <message>
        <source>%1 total = weights %2 + KV cache %3 (%4 tokens)</source>
        <translation>%1 gesamt = Gewichte %2 + KV-Cache %3 (%4 Token)</translation>
    </message>
    <message>
        <source>CPU: fits (%1 available).</source>
        <translation>CPU: passt (%1 verfügbar).</translation>
    </message>
    <message>
        <source>CPU: training needs more than the %1 available (%2): lower the batch size or the sequence length, or use bf16.</source>
        <translation>CPU: Das Training braucht mehr als die verfügbaren %1 (%2): Batch-Größe oder Sequenzlänge verringern oder bf16 verwenden.</translation>
    </message>
    <message>
        <source>Asking the hub for the file list…</source>
        <translation>Dateiliste wird vom Hub abgefragt…</translation>
    </message>
    <message>
        <source>No file is ticked: tick the files to download.</source>
        <translation>Keine Datei markiert: die herunterzuladenden Dateien markieren.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>%1: training fits (needs %2).</source>
        <translation>%1: Das Training passt (braucht %2).</translation>
    </message>
    <message>
        <source>%1: training needs %2, more than the GPU has: lower the batch size or the sequence length, use bf16, or turn on gradient checkpointing.</source>
        <translation>%1: Das Training braucht %2, mehr als die GPU hat: Batch-Größe oder Sequenzlänge verringern, bf16 verwenden oder Gradient Checkpointing einschalten.</translation>
    </message>
    <message>
        <source>Chat fits on it (needs %1).</source>
        <translation>Chat passt darauf (braucht %1).</translation>
    </message>
    <message>
        <source>Chat needs %1, more than the GPU has: use a quantised GGUF or a shorter context.</source>
        <translation>Chat braucht %1, mehr als die GPU hat: ein quantisiertes GGUF oder einen kürzeren Kontext verwenden.</translation>
    </message>
    <message>
        <source>%1 is not on this machine (the System page lists the GPUs found): choose another device in Settings.</source>
        <translation>%1 gibt es auf diesem Rechner nicht (die Seite System listet die gefundenen GPUs): in den Einstellungen ein anderes Gerät wählen.</translation>
    </message>
</context>
<context>
    <name>hone::ui::RunsModel</name>
    <message>
        <source>queued</source>
        <translation>wartend</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>beendet</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>LR</source>
        <translation>LR</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Rang</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>Batch</translation>
    </message>
    <message>
        <source>Seq len</source>
        <translation>Seq.-Länge</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Train loss</source>
        <translation>Train-Loss</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>Eval-Loss</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
</context>
<context>
    <name>hone::ui::RunsPage</name>
    <message>
        <source>Filter by name, model or dataset</source>
        <translation>Nach Name, Modell oder Datensatz filtern</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>Alle Status</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Re&amp;sume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Continue a stopped or failed run from its last checkpoint</source>
        <translation>Gestoppten oder fehlgeschlagenen Lauf ab seinem letzten Checkpoint fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Delete the selected runs with their folders</source>
        <translation>Ausgewählte Läufe samt ihren Ordnern löschen</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>LR</source>
        <translation>LR</translation>
    </message>
    <message>
        <source>Grad norm</source>
        <translation>Gradientennorm</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>Token/s</translation>
    </message>
    <message>
        <source>Peak memory (MiB)</source>
        <translation>Spitzenspeicher (MiB)</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>Epoch</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Gespeichert</translation>
    </message>
    <message>
        <source>Config</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>Metriken</translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation>Checkpoints</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>The run ended: %1.</source>
        <translation>Der Lauf ist beendet: %1.</translation>
    </message>
    <message>
        <source>The run ended: %1: %2</source>
        <translation>Der Lauf ist beendet: %1: %2</translation>
    </message>
    <message>
        <source>Cannot read the runs: %1</source>
        <translation>Die Läufe können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Select runs to compare their loss curves</source>
        <translation>Läufe auswählen, um ihre Loss-Kurven zu vergleichen</translation>
    </message>
    <message>
        <source>Loss (solid: train, dashed: eval)</source>
        <translation>Loss (durchgezogen: Training, gestrichelt: Eval)</translation>
    </message>
    <message>
        <source>#%1 %2 (eval)</source>
        <translation>#%1 %2 (Eval)</translation>
    </message>
    <message>
        <source>Cannot read the metrics: %1</source>
        <translation>Die Metriken können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Select a run to see its configuration, metrics, checkpoints and events.</source>
        <translation>Lauf auswählen, um Konfiguration, Metriken, Checkpoints und Ereignisse zu sehen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Run #%1 %2&lt;/b&gt; — %3</source>
        <translation>&lt;b&gt;Lauf #%1 %2&lt;/b&gt; — %3</translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation>Ordner: %1</translation>
    </message>
    <message>
        <source>Adapter: %1</source>
        <translation>Adapter: %1</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>Gerät: %1</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <source>Cannot read run %1: %2</source>
        <translation>Lauf %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>eval</source>
        <translation>Eval</translation>
    </message>
    <message>
        <source>This checkpoint is no longer on disk</source>
        <translation>Dieser Checkpoint ist nicht mehr auf dem Datenträger</translation>
    </message>
    <message>
        <source>Runs have no log file yet; these are the events recorded in the database for this run.</source>
        <translation>Läufe haben noch keine Protokolldatei; dies sind die in der Datenbank gespeicherten Ereignisse dieses Laufs.</translation>
    </message>
    <message>
        <source>%1  created</source>
        <translation>%1  erstellt</translation>
    </message>
    <message>
        <source>%1  started on %2</source>
        <translation>%1  gestartet auf %2</translation>
    </message>
    <message>
        <source>%1  step %2: eval loss %3</source>
        <translation>%1  Schritt %2: Eval-Loss %3</translation>
    </message>
    <message>
        <source>%1  step %2: loss %3, lr %4</source>
        <translation>%1  Schritt %2: Loss %3, LR %4</translation>
    </message>
    <message>
        <source>%1  checkpoint at step %2: %3</source>
        <translation>%1  Checkpoint bei Schritt %2: %3</translation>
    </message>
    <message>
        <source>%1  %2</source>
        <translation>%1  %2</translation>
    </message>
    <message>
        <source>error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <source>adapter: %1</source>
        <translation>Adapter: %1</translation>
    </message>
    <message>
        <source>Continue this run from its last checkpoint</source>
        <translation>Diesen Lauf ab seinem letzten Checkpoint fortsetzen</translation>
    </message>
    <message>
        <source>Only a stopped or failed run with a checkpoint can be resumed, while no other run is being trained from this window</source>
        <translation>Nur ein gestoppter oder fehlgeschlagener Lauf mit Checkpoint kann fortgesetzt werden, solange in diesem Fenster kein anderer Lauf trainiert wird</translation>
    </message>
    <message>
        <source>Resuming run #%1 from its last checkpoint…</source>
        <translation>Lauf #%1 wird ab seinem letzten Checkpoint fortgesetzt…</translation>
    </message>
    <message>
        <source>no folder is recorded for the run</source>
        <translation>für den Lauf ist kein Ordner gespeichert</translation>
    </message>
    <message>
        <source>the folder does not exist</source>
        <translation>der Ordner existiert nicht</translation>
    </message>
    <message>
        <source>the folder is a symbolic link</source>
        <translation>der Ordner ist ein symbolischer Link</translation>
    </message>
    <message>
        <source>it is not a folder</source>
        <translation>es ist kein Ordner</translation>
    </message>
    <message>
        <source>it is a root or home folder</source>
        <translation>es ist ein Wurzel- oder Home-Ordner</translation>
    </message>
    <message>
        <source>it is (or contains) the data folder</source>
        <translation>es ist der Datenordner (oder enthält ihn)</translation>
    </message>
    <message>
        <source>it holds a Hone database</source>
        <translation>es enthält eine Hone-Datenbank</translation>
    </message>
    <message>
        <source>it is outside the data folder&apos;s runs/ and has no config.json of a Hone run</source>
        <translation>es liegt außerhalb von runs/ im Datenordner und hat keine config.json eines Hone-Laufs</translation>
    </message>
    <message>
        <source>A selected run is still running; stop it before deleting it.</source>
        <translation>Ein ausgewählter Lauf läuft noch; vor dem Löschen stoppen.</translation>
    </message>
    <message>
        <source>#%1 %2 and its folder %3</source>
        <translation>#%1 %2 und sein Ordner %3</translation>
    </message>
    <message>
        <source>#%1 %2 (its folder %3 is kept: %4)</source>
        <translation>#%1 %2 (sein Ordner %3 bleibt erhalten: %4)</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n run(s)? Their metrics and checkpoints are deleted too; this cannot be undone.</source>
        <translation>
            <numerusform>%n Lauf löschen? Seine Metriken und Checkpoints werden ebenfalls gelöscht; dies kann nicht rückgängig gemacht werden.</numerusform>
            <numerusform>%n Läufe löschen? Ihre Metriken und Checkpoints werden ebenfalls gelöscht; dies kann nicht rückgängig gemacht werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>Läufe löschen</translation>
    </message>
    <message>
        <source>Nothing was deleted.</source>
        <translation>Nichts wurde gelöscht.</translation>
    </message>
    <message>
        <source>could not remove all of %1</source>
        <translation>%1 konnte nicht vollständig entfernt werden</translation>
    </message>
    <message>
        <source>kept %1 (%2)</source>
        <translation>%1 behalten (%2)</translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n run(s).</source>
        <translation>
            <numerusform>%n Lauf gelöscht.</numerusform>
            <numerusform>%n Läufe gelöscht.</numerusform>
        </translation>
    </message>
    <message>
        <source>Problems: %1.</source>
        <translation>Probleme: %1.</translation>
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
<context>
    <name>hone::ui::TrainForm</name>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>Ordner wählen</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>Datei wählen</translation>
    </message>
    <message>
        <source>Hugging Face model folder: config.json, *.safetensors and tokenizer.json</source>
        <translation>Hugging-Face-Modellordner: config.json, *.safetensors und tokenizer.json</translation>
    </message>
    <message>
        <source>Training data: a JSONL, JSON or CSV file</source>
        <translation>Trainingsdaten: eine JSONL-, JSON- oder CSV-Datei</translation>
    </message>
    <message>
        <source>Optional separate validation file; without it, Eval split holds out a fraction</source>
        <translation>Optionale separate Validierungsdatei; ohne sie hält Eval-Anteil einen Teil der Daten zurück</translation>
    </message>
    <message>
        <source>detect</source>
        <translation>erkennen</translation>
    </message>
    <message>
        <source>How the dataset&apos;s records are laid out; &apos;detect&apos; looks at the first records</source>
        <translation>Wie die Datensätze des Datensatzes aufgebaut sind; „erkennen“ prüft die ersten Datensätze</translation>
    </message>
    <message>
        <source>model&apos;s chat template</source>
        <translation>Chat-Vorlage des Modells</translation>
    </message>
    <message>
        <source>The prompt format examples are rendered in; models without a chat template need a built-in one</source>
        <translation>Das Prompt-Format, in dem Beispiele dargestellt werden; Modelle ohne Chat-Vorlage brauchen eine eingebaute</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>assistant replies</source>
        <translation>Assistenten-Antworten</translation>
    </message>
    <message>
        <source>all tokens</source>
        <translation>alle Token</translation>
    </message>
    <message>
        <source>Which tokens count in the loss: &apos;auto&apos; trains on assistant replies of chat data and on everything for plain text</source>
        <translation>Welche Token in den Loss eingehen: „automatisch“ trainiert bei Chat-Daten auf Assistenten-Antworten und bei reinem Text auf alles</translation>
    </message>
    <message>
        <source>drop long examples</source>
        <translation>lange Beispiele verwerfen</translation>
    </message>
    <message>
        <source>cut at the right</source>
        <translation>rechts abschneiden</translation>
    </message>
    <message>
        <source>What happens to examples longer than Max sequence length</source>
        <translation>Was mit Beispielen geschieht, die länger als die maximale Sequenzlänge sind</translation>
    </message>
    <message>
        <source>LoRA rank r: the adapter&apos;s capacity. 8–64 is typical; larger needs more memory</source>
        <translation>LoRA-Rang r: die Kapazität des Adapters. 8–64 ist üblich; größer braucht mehr Speicher</translation>
    </message>
    <message>
        <source>LoRA alpha: the update is scaled by alpha / r (alpha / sqrt(r) with rsLoRA); 2·r is a common choice</source>
        <translation>LoRA-Alpha: Das Update wird mit alpha / r skaliert (alpha / sqrt(r) mit rsLoRA); 2·r ist eine übliche Wahl</translation>
    </message>
    <message>
        <source>Dropout on the adapter&apos;s input, in [0, 1); 0 to 0.1 is typical</source>
        <translation>Dropout auf der Eingabe des Adapters, in [0, 1); 0 bis 0,1 ist üblich</translation>
    </message>
    <message>
        <source>rank-stabilised scaling (rsLoRA)</source>
        <translation>rangstabilisierte Skalierung (rsLoRA)</translation>
    </message>
    <message>
        <source>Scale by alpha / sqrt(r): keeps large ranks learning</source>
        <translation>Mit alpha / sqrt(r) skalieren: lässt große Ränge weiter lernen</translation>
    </message>
    <message>
        <source>Comma-separated projections that get LoRA (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj) or all-linear</source>
        <translation>Kommagetrennte Projektionen, die LoRA erhalten (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj), oder all-linear</translation>
    </message>
    <message>
        <source>Peak learning rate of AdamW, e.g. 2e-4; 1e-4 to 3e-4 is typical for LoRA</source>
        <translation>Maximale Lernrate von AdamW, z. B. 2e-4; 1e-4 bis 3e-4 ist für LoRA üblich</translation>
    </message>
    <message>
        <source>linear decay</source>
        <translation>linear fallend</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>Kosinus</translation>
    </message>
    <message>
        <source>constant</source>
        <translation>konstant</translation>
    </message>
    <message>
        <source>How the learning rate falls after warm-up</source>
        <translation>Wie die Lernrate nach dem Warm-up sinkt</translation>
    </message>
    <message>
        <source>Warm-up steps; 0 uses Warm-up ratio</source>
        <translation>Warm-up-Schritte; 0 verwendet den Warm-up-Anteil</translation>
    </message>
    <message>
        <source>Fraction of the steps spent warming up, when Warm-up steps is 0</source>
        <translation>Anteil der Schritte für das Warm-up, wenn Warm-up-Schritte 0 ist</translation>
    </message>
    <message>
        <source>AdamW weight decay</source>
        <translation>AdamW-Weight-Decay</translation>
    </message>
    <message>
        <source>AdamW beta1, in [0, 1)</source>
        <translation>AdamW beta1, in [0, 1)</translation>
    </message>
    <message>
        <source>AdamW beta2, in [0, 1)</source>
        <translation>AdamW beta2, in [0, 1)</translation>
    </message>
    <message>
        <source>AdamW epsilon, e.g. 1e-8</source>
        <translation>AdamW epsilon, z. B. 1e-8</translation>
    </message>
    <message>
        <source>Gradient clipping by global norm; 0 turns clipping off</source>
        <translation>Gradient Clipping nach globaler Norm; 0 schaltet es aus</translation>
    </message>
    <message>
        <source>Passes over the training data</source>
        <translation>Durchläufe über die Trainingsdaten</translation>
    </message>
    <message>
        <source>Optimizer steps to train; more than 0 overrides Epochs</source>
        <translation>Zu trainierende Optimizer-Schritte; mehr als 0 hat Vorrang vor Epochs</translation>
    </message>
    <message>
        <source>Examples per micro-batch; memory grows with it</source>
        <translation>Beispiele pro Micro-Batch; der Speicherbedarf wächst damit</translation>
    </message>
    <message>
        <source>Micro-batches per optimizer step: a larger effective batch without more memory</source>
        <translation>Micro-Batches pro Optimizer-Schritt: ein größerer effektiver Batch ohne mehr Speicher</translation>
    </message>
    <message>
        <source>Longest example in tokens; memory grows with it</source>
        <translation>Längstes Beispiel in Token; der Speicherbedarf wächst damit</translation>
    </message>
    <message>
        <source>pack examples</source>
        <translation>Beispiele packen</translation>
    </message>
    <message>
        <source>Concatenate short examples into full-length sequences (faster on short data)</source>
        <translation>Kurze Beispiele zu Sequenzen voller Länge zusammenfügen (schneller bei kurzen Daten)</translation>
    </message>
    <message>
        <source>gradient checkpointing</source>
        <translation>Gradient Checkpointing</translation>
    </message>
    <message>
        <source>Recompute activations in the backward pass: much less memory, about a third slower</source>
        <translation>Aktivierungen im Backward-Pass neu berechnen: viel weniger Speicher, etwa ein Drittel langsamer</translation>
    </message>
    <message>
        <source>Random seed of shuffling, dropout and initialisation</source>
        <translation>Zufalls-Seed für Mischen, Dropout und Initialisierung</translation>
    </message>
    <message>
        <source>Fraction of the data held out for validation when there is no validation file</source>
        <translation>Anteil der Daten, der zur Validierung zurückgehalten wird, wenn es keine Validierungsdatei gibt</translation>
    </message>
    <message>
        <source>Validate every N steps; 0 only at the end</source>
        <translation>Alle N Schritte validieren; 0 nur am Ende</translation>
    </message>
    <message>
        <source>Save a checkpoint every N steps; 0 only on stop and at the end</source>
        <translation>Alle N Schritte einen Checkpoint speichern; 0 nur beim Stoppen und am Ende</translation>
    </message>
    <message>
        <source>Newest checkpoints kept; 0 keeps all</source>
        <translation>Anzahl der behaltenen neuesten Checkpoints; 0 behält alle</translation>
    </message>
    <message>
        <source>auto uses the first GPU, else the CPU; cuda:N picks a GPU</source>
        <translation>auto verwendet die erste GPU, sonst die CPU; cuda:N wählt eine GPU</translation>
    </message>
    <message>
        <source>Compute type: auto is bf16 on GPUs that have it, else f32</source>
        <translation>Rechentyp: auto ist bf16 auf GPUs, die es unterstützen, sonst f32</translation>
    </message>
    <message>
        <source>CPU threads; 0 uses all cores</source>
        <translation>CPU-Threads; 0 verwendet alle Kerne</translation>
    </message>
    <message>
        <source>The run folder; empty makes a new one under the data folder&apos;s runs/</source>
        <translation>Der Laufordner; leer legt einen neuen unter runs/ im Datenordner an</translation>
    </message>
    <message>
        <source>A name to find the run by</source>
        <translation>Ein Name, unter dem der Lauf zu finden ist</translation>
    </message>
    <message>
        <source>Defaults for this model</source>
        <translation>Standardwerte für dieses Modell</translation>
    </message>
    <message>
        <source>Rank, learning rate, batch size and sequence length for the model&apos;s size</source>
        <translation>Rang, Lernrate, Batch-Größe und Sequenzlänge passend zur Modellgröße</translation>
    </message>
    <message>
        <source>Model &amp;&amp; data</source>
        <translation>Modell &amp;&amp; Daten</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Validation file</source>
        <translation>Validierungsdatei</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Train on</source>
        <translation>Trainieren auf</translation>
    </message>
    <message>
        <source>Too long</source>
        <translation>Zu lang</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Rang</translation>
    </message>
    <message>
        <source>Alpha</source>
        <translation>Alpha</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>Zielmodule</translation>
    </message>
    <message>
        <source>Optimisation</source>
        <translation>Optimierung</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Zeitplan</translation>
    </message>
    <message>
        <source>Warm-up steps</source>
        <translation>Warm-up-Schritte</translation>
    </message>
    <message>
        <source>Warm-up ratio</source>
        <translation>Warm-up-Anteil</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>Weight Decay</translation>
    </message>
    <message>
        <source>Adam beta1</source>
        <translation>Adam beta1</translation>
    </message>
    <message>
        <source>Adam beta2</source>
        <translation>Adam beta2</translation>
    </message>
    <message>
        <source>Adam epsilon</source>
        <translation>Adam epsilon</translation>
    </message>
    <message>
        <source>Max gradient norm</source>
        <translation>Maximale Gradientennorm</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Epochs</translation>
    </message>
    <message>
        <source>Max steps</source>
        <translation>Max. Schritte</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Batch-Größe</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>Gradientenakkumulation</translation>
    </message>
    <message>
        <source>Max sequence length</source>
        <translation>Maximale Sequenzlänge</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Evaluation &amp;&amp; checkpoints</source>
        <translation>Evaluierung &amp;&amp; Checkpoints</translation>
    </message>
    <message>
        <source>Eval split</source>
        <translation>Eval-Anteil</translation>
    </message>
    <message>
        <source>Evaluate every</source>
        <translation>Evaluieren alle</translation>
    </message>
    <message>
        <source>Save every</source>
        <translation>Speichern alle</translation>
    </message>
    <message>
        <source>Keep checkpoints</source>
        <translation>Checkpoints behalten</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Data type</source>
        <translation>Datentyp</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU-Threads</translation>
    </message>
    <message>
        <source>Run folder</source>
        <translation>Laufordner</translation>
    </message>
    <message>
        <source>Run name</source>
        <translation>Laufname</translation>
    </message>
    <message>
        <source>the learning rate &apos;%1&apos; is not a number; write it like 2e-4</source>
        <translation>die Lernrate „%1“ ist keine Zahl; etwa als 2e-4 schreiben</translation>
    </message>
    <message>
        <source>Adam epsilon &apos;%1&apos; is not a number; write it like 1e-8</source>
        <translation>Adam epsilon „%1“ ist keine Zahl; etwa als 1e-8 schreiben</translation>
    </message>
    <message>
        <source>the seed &apos;%1&apos; must be a whole number of 0 or more</source>
        <translation>der Seed „%1“ muss eine ganze Zahl ab 0 sein</translation>
    </message>
    <message>
        <source>Choose a model folder.</source>
        <translation>Modellordner wählen.</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 Mrd.</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 Mio.</translation>
    </message>
    <message>
        <source>%1 K</source>
        <translation>%1 Tsd.</translation>
    </message>
    <message>
        <source>%1, about %2 parameters, %3 layers, context %4 tokens</source>
        <translation>%1, etwa %2 Parameter, %3 Schichten, Kontext %4 Token</translation>
    </message>
    <message>
        <source>Cannot read the model&apos;s configuration: %1</source>
        <translation>Die Konfiguration des Modells kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Memory estimate: choose a model to see it.</source>
        <translation>Speicherschätzung: Modell wählen, um sie zu sehen.</translation>
    </message>
    <message>
        <source>Memory estimate: up to %1 (weights %2, adapter and optimizer %3, activations %4) at %5 tokens × batch %6</source>
        <translation>Speicherschätzung: bis zu %1 (Gewichte %2, Adapter und Optimizer %3, Aktivierungen %4) bei %5 Token × Batch %6</translation>
    </message>
    <message>
        <source>; %1 available</source>
        <translation>; %1 verfügbar</translation>
    </message>
    <message>
        <source> — does not fit in CPU memory: lower the batch size or the sequence length, or turn on gradient checkpointing</source>
        <translation> — passt nicht in den CPU-Speicher: Batch-Größe oder Sequenzlänge verringern oder Gradient Checkpointing einschalten</translation>
    </message>
    <message>
        <source>Optional: a PEFT adapter folder or a run folder whose adapter the LoRA starts from (train further). Its rank, alpha, targets and template replace the ones below; the optimizer starts fresh</source>
        <translation>Optional: ein PEFT-Adapterordner oder ein Lauf-Ordner, von dessen Adapter die LoRA ausgeht (weitertrainieren). Dessen Rang, Alpha, Zielmodule und Vorlage ersetzen die Werte unten; der Optimierer beginnt neu</translation>
    </message>
    <message>
        <source>Start from adapter</source>
        <translation>Von Adapter ausgehen</translation>
    </message>
</context>
<context>
    <name>hone::ui::TrainPage</name>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Start training (Ctrl+Return)</source>
        <translation>Training starten (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <source>Pause after the current step (Ctrl+P)</source>
        <translation>Nach dem aktuellen Schritt pausieren (Strg+P)</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Continue the paused run (Ctrl+P)</source>
        <translation>Pausierten Lauf fortsetzen (Strg+P)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Stop after the current step and save a checkpoint (Ctrl+.)</source>
        <translation>Nach dem aktuellen Schritt stoppen und einen Checkpoint speichern (Strg+.)</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>Trainings-Loss</translation>
    </message>
    <message>
        <source>validation loss</source>
        <translation>Validierungs-Loss</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>Gradientennorm</translation>
    </message>
    <message>
        <source>gradient norm</source>
        <translation>Gradientennorm</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation>Token/s</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>peak memory (MiB)</source>
        <translation>Spitzenspeicher (MiB)</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Training läuft…</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>Bereit.</translation>
    </message>
    <message>
        <source>Preparing the data and loading the model…</source>
        <translation>Daten werden vorbereitet und Modell wird geladen…</translation>
    </message>
    <message>
        <source>Pausing after the current step…</source>
        <translation>Pause nach dem aktuellen Schritt…</translation>
    </message>
    <message>
        <source>Stopping: saving a checkpoint…</source>
        <translation>Wird gestoppt: Checkpoint wird gespeichert…</translation>
    </message>
    <message>
        <source>Training %1 steps on %2 → %3</source>
        <translation>Training: %1 Schritte auf %2 → %3</translation>
    </message>
    <message>
        <source>step %1 / %2 · epoch %3 · ETA %4</source>
        <translation>Schritt %1 / %2 · Epoch %3 · Restzeit %4</translation>
    </message>
    <message>
        <source>Checkpoint saved at step %1: %2</source>
        <translation>Checkpoint bei Schritt %1 gespeichert: %2</translation>
    </message>
    <message>
        <source>Data: %1 examples kept, %2 skipped; loading the model…</source>
        <translation>Daten: %1 Beispiele behalten, %2 übersprungen; Modell wird geladen…</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>Pausiert.</translation>
    </message>
    <message>
        <source>Finished. Adapter: %1</source>
        <translation>Fertig. Adapter: %1</translation>
    </message>
    <message>
        <source>Stopped before the first checkpoint.</source>
        <translation>Vor dem ersten Checkpoint gestoppt.</translation>
    </message>
    <message>
        <source>Stopped. Checkpoint: %1</source>
        <translation>Gestoppt. Checkpoint: %1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>no reason reported</source>
        <translation>kein Grund gemeldet</translation>
    </message>
    <message>
        <source>Training is running</source>
        <translation>Training läuft</translation>
    </message>
    <message>
        <source>A training run is still going. Stop it (a checkpoint is saved, so it can be resumed) or keep it training in the background? Hone follows it again when you reopen the app.</source>
        <translation>Ein Trainingslauf ist noch aktiv. Stoppen (ein Checkpoint wird gespeichert, sodass er fortgesetzt werden kann) oder im Hintergrund weitertrainieren? Hone verfolgt ihn wieder, wenn die App erneut geöffnet wird.</translation>
    </message>
    <message>
        <source>Stop with checkpoint</source>
        <translation>Mit Checkpoint stoppen</translation>
    </message>
    <message>
        <source>Keep training in the background</source>
        <translation>Im Hintergrund weitertrainieren</translation>
    </message>
    <message>
        <source>Run #%1 (%2) is training in the background (process %3); following its progress.</source>
        <translation>Lauf #%1 (%2) trainiert im Hintergrund (Prozess %3); sein Fortschritt wird verfolgt.</translation>
    </message>
    <message>
        <source>Cannot read the run store: %1</source>
        <translation>Der Laufspeicher kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Lost the background run: %1</source>
        <translation>Hintergrundlauf verloren: %1</translation>
    </message>
    <message>
        <source>Background run #%1 ended: %2%3</source>
        <translation>Hintergrundlauf #%1 beendet: %2%3</translation>
    </message>
</context>
</TS>
