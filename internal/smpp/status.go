package smpp

import (
	"fmt"

	"github.com/linxGnu/gosmpp/data"
)

// Status is an SMPP command_status. A non-zero Status is an error, so a
// handler can return one to answer with that status, and callers can test
// for one with errors.As.
type Status uint32

// The command_status values Herald sends or acts on (SMPP 3.4 §5.1.3).
const (
	StatusOK             Status = 0x00000000 // ESME_ROK
	StatusInvMsgLen      Status = 0x00000001 // ESME_RINVMSGLEN
	StatusInvCmdLen      Status = 0x00000002 // ESME_RINVCMDLEN
	StatusInvCmdID       Status = 0x00000003 // ESME_RINVCMDID
	StatusInvBindStatus  Status = 0x00000004 // ESME_RINVBNDSTS
	StatusAlreadyBound   Status = 0x00000005 // ESME_RALYBND
	StatusInvRegDelivery Status = 0x00000007 // ESME_RINVREGDLVFLG
	StatusSysErr         Status = 0x00000008 // ESME_RSYSERR
	StatusInvSrcAddr     Status = 0x0000000A // ESME_RINVSRCADR
	StatusInvDstAddr     Status = 0x0000000B // ESME_RINVDSTADR
	StatusInvMsgID       Status = 0x0000000C // ESME_RINVMSGID
	StatusBindFailed     Status = 0x0000000D // ESME_RBINDFAIL
	StatusInvPassword    Status = 0x0000000E // ESME_RINVPASWD
	StatusInvSystemID    Status = 0x0000000F // ESME_RINVSYSID
	StatusMsgQueueFull   Status = 0x00000014 // ESME_RMSGQFUL
	StatusInvESMClass    Status = 0x00000043 // ESME_RINVESMCLASS
	StatusSubmitFailed   Status = 0x00000045 // ESME_RSUBMITFAIL
	StatusInvSystemType  Status = 0x00000053 // ESME_RINVSYSTYP
	StatusThrottled      Status = 0x00000058 // ESME_RTHROTTLED
	StatusTempAppError   Status = 0x00000064 // ESME_RX_T_APPN
	StatusPermAppError   Status = 0x00000065 // ESME_RX_P_APPN
	StatusRejectAppError Status = 0x00000066 // ESME_RX_R_APPN
	StatusInvOptParam    Status = 0x000000C0 // ESME_RINVOPTPARSTREAM
	StatusDeliveryFailed Status = 0x000000FE // ESME_RDELIVERYFAILURE
	StatusUnknownErr     Status = 0x000000FF // ESME_RUNKNOWNERR
)

// Name returns the specification's name of s, such as "ESME_RTHROTTLED", or
// "0x00000400" for a vendor-specific status.
func (s Status) Name() string {
	if name := data.CommandStatusType(s).String(); name[0] == 'E' {
		return name
	}
	return fmt.Sprintf("0x%08X", uint32(s))
}

// Error implements error.
func (s Status) Error() string {
	name := s.Name()
	if name[0] == '0' {
		return "smpp: command_status " + name
	}
	return fmt.Sprintf("smpp: command_status %s (%s)", name, data.CommandStatusType(s).Desc())
}

// Temporary reports whether a request answered with s may succeed when it is
// sent again later: throttling, a full queue, system and temporary
// application errors, and codes that name no cause. Every other status,
// including unknown vendor codes, is permanent: the request itself is wrong
// for that SMSC, and sending it again would fail the same way.
func (s Status) Temporary() bool {
	switch s {
	case StatusThrottled, StatusMsgQueueFull, StatusSysErr, StatusTempAppError,
		StatusSubmitFailed, StatusInvBindStatus, StatusDeliveryFailed, StatusUnknownErr:
		return true
	}
	return false
}

// throttling reports whether s asks the sender to slow down: the session
// pauses before it sends again.
func (s Status) throttling() bool {
	return s == StatusThrottled || s == StatusMsgQueueFull
}
