namespace NasGen.Tests.Experiments;

/// <summary>
/// The schema of a version 1 store exactly as NasGen created it before change numbers (StoreSchema.Create of main at
/// 8decf8a, rendered for each engine), so that tests build old stores the way users have them and migrate them.
/// </summary>
internal static class Version1Schema
{
    public const string Sqlite = """
        CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE experiments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            space_name TEXT NOT NULL,
            space_fingerprint TEXT NOT NULL,
            strategy_name TEXT NOT NULL,
            seed INTEGER NOT NULL,
            options_json TEXT NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE trials (
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            number INTEGER NOT NULL,
            status INTEGER NOT NULL,
            architecture_json TEXT NOT NULL,
            canonical TEXT NOT NULL,
            stable_hash TEXT NOT NULL,
            fidelity REAL NOT NULL,
            seed INTEGER NOT NULL,
            fitness REAL,
            metrics_json TEXT NOT NULL DEFAULT '{}',
            failure INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            reused_from INTEGER,
            stopped_early INTEGER NOT NULL DEFAULT 0,
            tell_seq INTEGER,
            asks_at_tell INTEGER,
            worker TEXT,
            started_at TEXT,
            ended_at TEXT,
            duration_s REAL,
            PRIMARY KEY (experiment_id, number));
        CREATE INDEX trials_status ON trials(experiment_id, status, number);
        CREATE INDEX trials_hash ON trials(experiment_id, stable_hash);
        CREATE TABLE intermediates (
            experiment_id INTEGER NOT NULL,
            number INTEGER NOT NULL,
            step INTEGER NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (experiment_id, number, step),
            FOREIGN KEY (experiment_id, number) REFERENCES trials(experiment_id, number));
        """;

    public const string Postgres = """
        CREATE TABLE nasgen_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE nasgen_experiments (
            id BIGSERIAL PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            space_name TEXT NOT NULL,
            space_fingerprint TEXT NOT NULL,
            strategy_name TEXT NOT NULL,
            seed INTEGER NOT NULL,
            options_json TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL);
        CREATE TABLE nasgen_trials (
            experiment_id BIGINT NOT NULL REFERENCES nasgen_experiments(id),
            number INTEGER NOT NULL,
            status SMALLINT NOT NULL,
            architecture_json TEXT NOT NULL,
            canonical TEXT NOT NULL,
            stable_hash TEXT NOT NULL,
            fidelity DOUBLE PRECISION NOT NULL,
            seed INTEGER NOT NULL,
            fitness DOUBLE PRECISION,
            metrics_json TEXT NOT NULL DEFAULT '{}',
            failure SMALLINT NOT NULL DEFAULT 0,
            error TEXT,
            reused_from INTEGER,
            stopped_early BOOLEAN NOT NULL DEFAULT FALSE,
            tell_seq INTEGER,
            asks_at_tell INTEGER,
            worker TEXT,
            started_at TIMESTAMPTZ,
            ended_at TIMESTAMPTZ,
            duration_s DOUBLE PRECISION,
            lease_expires_at TIMESTAMPTZ,
            UNIQUE (experiment_id, tell_seq),
            PRIMARY KEY (experiment_id, number));
        CREATE INDEX nasgen_trials_status ON nasgen_trials(experiment_id, status, number);
        CREATE INDEX nasgen_trials_hash ON nasgen_trials(experiment_id, stable_hash);
        CREATE TABLE nasgen_intermediates (
            experiment_id BIGINT NOT NULL,
            number INTEGER NOT NULL,
            step INTEGER NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (experiment_id, number, step),
            FOREIGN KEY (experiment_id, number) REFERENCES nasgen_trials(experiment_id, number));
        """;
}
