package store

// dialect holds the few SQL fragments in which SQLite and PostgreSQL
// differ. Everything else is shared SQL with $n placeholders.
type dialect struct {
	// minTime is the lowest time, standing in for NULL in sort keys so that
	// NULLs come first in ascending order and last in descending order on
	// both engines. SQLite stores times as text in the driver's format, so
	// the literal must be the text the driver writes for year 1 UTC.
	minTime string
	// eachElem returns a FROM item that yields the elements of the JSON
	// array in column expr as rows with a text column "value" under
	// alias.
	eachElem func(expr, alias string) string
	// elemText returns the element value under alias as text with the
	// byte-wise collation that every stored text column has.
	elemText func(alias string) string
	// cast returns placeholder ph typed as the SQL type typ where the
	// engine needs it (PostgreSQL cannot infer the types of parameters
	// in a VALUES list); SQLite takes ph as it is.
	cast func(ph, typ string) string
	// forUpdate locks the rows a SELECT reads until the transaction
	// ends; SQLite's single writer needs no row locks.
	forUpdate string
	// skipLocked is forUpdate that passes over rows another transaction
	// holds, so that processes sharing the database claim different work.
	skipLocked string
	// byID follows a table name in FROM to have its rows found by their
	// integer key: SQLite otherwise may prefer an index on the account,
	// reading every row of the account to keep those in a short range of
	// IDs. PostgreSQL weighs the two by its statistics.
	byID string
}

// newDialect returns the dialect of engine.
func newDialect(engine string) dialect {
	if engine == EnginePostgres {
		return dialect{
			minTime: "TIMESTAMPTZ '0001-01-01 00:00:00+00'",
			eachElem: func(expr, alias string) string {
				return "json_array_elements_text(" + expr + "::json) AS " + alias + "(value)"
			},
			elemText:   func(alias string) string { return alias + `.value COLLATE "C"` },
			cast:       func(ph, typ string) string { return "CAST(" + ph + " AS " + typ + ")" },
			forUpdate:  " FOR UPDATE",
			skipLocked: " FOR UPDATE SKIP LOCKED",
		}
	}
	return dialect{
		minTime:  "'0001-01-01 00:00:00+00:00'",
		eachElem: func(expr, alias string) string { return "json_each(" + expr + ") AS " + alias },
		elemText: func(alias string) string { return alias + ".value" },
		cast:     func(ph, _ string) string { return ph },
		byID:     " NOT INDEXED",
	}
}
