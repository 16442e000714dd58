package strata

import "fmt"

// ConfigErrorKind says which combination of options a [ConfigError]
// refused, so a front end can name its own flags for them.
type ConfigErrorKind string

// The kinds of [ConfigError] whose message names options ("" for the
// rest, such as a bad [Option] value).
const (
	// ConfigTxAllNotPossible: [TxAll] on a database that commits DDL
	// implicitly (ConfigError.Database).
	ConfigTxAllNotPossible ConfigErrorKind = "tx_all_not_possible"
	// ConfigTxAllFile: [TxAll] with a file (ConfigError.File) that cannot
	// run in a transaction (ConfigError.Reason).
	ConfigTxAllFile ConfigErrorKind = "tx_all_file"
	// ConfigLeaseOneConn: [LockLease] with a pool of one connection.
	ConfigLeaseOneConn ConfigErrorKind = "lease_one_conn"
	// ConfigDownStepsAndTo: both [DownOptions.Steps] and [DownOptions.To].
	ConfigDownStepsAndTo ConfigErrorKind = "down_steps_and_to"
	// ConfigDownTooMany: more steps (ConfigError.Count) than applied
	// migrations (ConfigError.Applied).
	ConfigDownTooMany ConfigErrorKind = "down_too_many"
	// ConfigNothingToRedo: [Migrator.Redo] with no migration applied.
	ConfigNothingToRedo ConfigErrorKind = "nothing_to_redo"
	// ConfigRehearseNotPossible: [Migrator.Rehearse] on a database that
	// commits DDL implicitly (ConfigError.Database).
	ConfigRehearseNotPossible ConfigErrorKind = "rehearse_not_possible"
)

// txAllFile refuses TxAll for a step that cannot run in a transaction.
func txAllFile(step Step) *ConfigError {
	return &ConfigError{Kind: ConfigTxAllFile, File: step.File, Reason: step.Reason,
		Msg: fmt.Sprintf("%s cannot run in a transaction (%s), so TxAll is not possible; use TxFile", step.File, step.Reason)}
}
