#!/usr/bin/perl
# perl_smsc.pl PORT [dec|hex] - a minimal SMSC written with Net::SMPP (Debian
# package libnet-smpp-perl), independent of Herald's code, for Herald's tests.
#
# It listens on 127.0.0.1:PORT, serves one ESME connection, accepts any bind,
# answers each submit_sm with a message ID and, when registered_delivery asks
# for it, sends a delivery receipt as deliver_sm. The receipts cycle through
# the text variants real SMSCs send (see @variants). In "hex" mode the
# submit_sm_resp carries the ID in hexadecimal and the receipt in decimal; in
# "dec" mode the response is decimal and the receipt zero-padded decimal or
# hexadecimal. It prints "LISTENING" when ready and exits after unbind or
# when the connection closes.
use strict;
use warnings;
use Net::SMPP;

$| = 1;
my ($port, $mode) = @ARGV;
die "usage: perl_smsc.pl PORT [dec|hex]\n" unless $port;
$mode ||= 'dec';

my $listen = Net::SMPP->new_listen('127.0.0.1', port => $port, smpp_version => 0x34, system_id => 'perlsmsc')
    or die "perl_smsc: listen on $port: $!\n";
print "LISTENING $port\n";
my $conn = $listen->accept or die "perl_smsc: accept: $!\n";

my $t = '2401011200';
my @variants = (
    # Appendix B as written, decimal ID.
    sub { "id:$_[0] sub:001 dlvrd:001 submit date:$t done date:2401011201 stat:DELIVRD err:000 text:hello" },
    # Upper-case keys, 12-digit dates, capital Text.
    sub { "ID:$_[0] SUB:001 DLVRD:001 SUBMIT DATE:${t}30 DONE DATE:240101120145 STAT:DELIVRD ERR:000 Text:hello" },
    # Underscores, a failure with an error code.
    sub { "id:$_[0] sub:001 dlvrd:000 submit_date:$t done_date:$t stat:UNDELIV err:034 text:" },
    # The bare minimum.
    sub { "id:$_[0] stat:EXPIRED" },
    # Extra vendor fields, reordered.
    sub { "stat:REJECTD id:$_[0] err:00B net:23415 smsc:PERL sub:001 dlvrd:000" },
);
my $next = 1000;
my $submits = 0;

while (my $pdu = $conn->read_pdu()) {
    my ($cmd, $seq) = ($pdu->{cmd}, $pdu->{seq});
    if ($cmd == 0x00000002) {
        $conn->bind_transmitter_resp(seq => $seq, system_id => 'perlsmsc');
    } elsif ($cmd == 0x00000001) {
        $conn->bind_receiver_resp(seq => $seq, system_id => 'perlsmsc');
    } elsif ($cmd == 0x00000009) {
        $conn->bind_transceiver_resp(seq => $seq, system_id => 'perlsmsc');
    } elsif ($cmd == 0x00000015) {
        $conn->enquire_link_resp(seq => $seq);
    } elsif ($cmd == 0x00000004) {
        my $id = ++$next;
        my $variant = $submits++ % @variants;
        my ($wire, $in_receipt);
        if ($mode eq 'hex') {
            ($wire, $in_receipt) = (sprintf('%X', $id), $id);
        } elsif ($variant % 2) {
            ($wire, $in_receipt) = ($id, sprintf('%x', $id));
        } else {
            ($wire, $in_receipt) = ($id, sprintf('%010d', $id));
        }
        $conn->submit_sm_resp(seq => $seq, message_id => "$wire");
        if (($pdu->{registered_delivery} // 0) & 0x03) {
            $conn->deliver_sm(
                async            => 1,
                source_addr_ton  => $pdu->{dest_addr_ton},
                source_addr_npi  => $pdu->{dest_addr_npi},
                source_addr      => $pdu->{destination_addr},
                dest_addr_ton    => $pdu->{source_addr_ton},
                dest_addr_npi    => $pdu->{source_addr_npi},
                destination_addr => $pdu->{source_addr},
                esm_class        => 0x04,
                short_message    => $variants[$variant]->($in_receipt),
            );
        }
    } elsif ($cmd == 0x80000005 || $cmd == 0x80000015) {
        # deliver_sm_resp, enquire_link_resp
    } elsif ($cmd == 0x00000006) {
        $conn->unbind_resp(seq => $seq);
        last;
    } elsif (!($cmd & 0x80000000)) {
        $conn->generic_nack(seq => $seq, status => 0x03);
    }
}
print "SUBMITS $submits\n";
