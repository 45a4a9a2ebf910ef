package smtptest

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
)

// chownPostfix gives dir to the postfix user, who keeps its data there.
func chownPostfix(dir string) error {
	u, err := user.Lookup("postfix")
	if err != nil {
		return fmt.Errorf("smtptest: the postfix user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}
