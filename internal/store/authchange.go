package store

// isAuthTable reports whether API key authentication reads or depends on
// the rows of table: the key, its account and its users. A committed
// transaction that audits a change to one of them calls the Store's
// OnAuthChange functions.
func isAuthTable(table string) bool {
	switch table {
	case "api_keys", "accounts", "users":
		return true
	}
	return false
}

// OnAuthChange registers fn to be called after every committed
// transaction that changed an API key, an account or a user, so that
// caches of authenticated keys forget them at once. Register before the
// Store is used; fn runs on the committing goroutine and must not block.
func (s *Store) OnAuthChange(fn func()) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.authFns = append(s.authFns, fn)
}

// committed runs what follows the commit of t.
func (s *Store) committed(t *tx) {
	if !t.authChanged {
		return
	}
	s.authMu.Lock()
	fns := s.authFns
	s.authMu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
