package app

import "github.com/heraldhq/herald/internal/importer"

// importService is the Import wizard's service, queuing import jobs on the
// process's job runner.
func (m *Main) importService() *importer.Service {
	return &importer.Service{Store: m.Store, Jobs: m.Jobs}
}
