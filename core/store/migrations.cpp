// Schema migrations for hone.db.
#include "store/migrations.h"

namespace hone {

const std::vector<Migration>& storeMigrations() {
    static const std::vector<Migration> list = {
        {1,
         "key/value application state",
         {QStringLiteral("CREATE TABLE app_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, "
                         "updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))")}},
        {2,
         "audit log of user actions and settings changes",
         {QStringLiteral("CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
                         "actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')"),
          QStringLiteral("CREATE INDEX audit_at ON audit(at)")}},
        {3,
         "training runs, their metrics and checkpoints",
         {QStringLiteral(
              "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, "
              "status TEXT NOT NULL CHECK(status IN "
              "('queued','running','paused','finished','failed','stopped')), "
              "model_path TEXT NOT NULL, model_identity TEXT, dataset_path TEXT, dataset_hash TEXT, "
              "template_name TEXT, template_hash TEXT, config_json TEXT NOT NULL, versions_json TEXT, "
              "device TEXT, run_dir TEXT, pid INTEGER, "
              "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), started_at TEXT, "
              "updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), finished_at TEXT, "
              "total_steps INTEGER, last_step INTEGER, final_train_loss REAL, final_eval_loss REAL, "
              "error TEXT, adapter_path TEXT)"),
          QStringLiteral("CREATE INDEX runs_status ON runs(status)"),
          QStringLiteral(
              "CREATE TABLE run_metrics (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE "
              "CASCADE, step INTEGER NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('train','eval')), "
              "loss REAL, lr REAL, grad_norm REAL, tokens_per_s REAL, peak_mem_bytes INTEGER, "
              "epoch REAL, at TEXT, PRIMARY KEY(run_id, kind, step)) WITHOUT ROWID"),
          QStringLiteral(
              "CREATE TABLE run_checkpoints (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE "
              "CASCADE, step INTEGER NOT NULL, path TEXT NOT NULL, "
              "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
              "PRIMARY KEY(run_id, step)) WITHOUT ROWID")}},
        {4,
         "exported adapters and models (hone export) with their post-export check",
         {QStringLiteral("CREATE TABLE exports (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL, adapter_path TEXT, "
                         "format TEXT NOT NULL, path TEXT NOT NULL, dtype TEXT, quant TEXT, "
                         "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
                         "check_json TEXT)"),
          QStringLiteral("CREATE INDEX exports_run ON exports(run_id)")}},
        {5,
         "chats with their messages (tool calls, timings) and arena votes",
         {QStringLiteral("CREATE TABLE chats (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, "
                         "model_path TEXT NOT NULL, adapter_path TEXT, "
                         "run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL, settings_json TEXT, "
                         "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
                         "updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"),
          QStringLiteral(
              "CREATE TABLE chat_messages (chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE "
              "CASCADE, seq INTEGER NOT NULL, role TEXT NOT NULL CHECK(role IN "
              "('system','user','assistant','tool')), content TEXT NOT NULL, tool_calls_json TEXT, "
              "timings_json TEXT, "
              "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
              "PRIMARY KEY(chat_id, seq)) WITHOUT ROWID"),
          QStringLiteral("CREATE TABLE arena_votes (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "chat_id INTEGER REFERENCES chats(id) ON DELETE SET NULL, prompt TEXT NOT NULL, "
                         "left_label TEXT NOT NULL, right_label TEXT NOT NULL, left_text TEXT NOT NULL, "
                         "right_text TEXT NOT NULL, winner TEXT NOT NULL CHECK(winner IN "
                         "('left','right','tie','both_bad')), "
                         "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))")}},
    };
    return list;
}

int latestSchemaVersion() {
    return storeMigrations().back().version;
}

} // namespace hone
