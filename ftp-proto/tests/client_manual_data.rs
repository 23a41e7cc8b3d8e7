//! Data connections driven by hand: `makepasv`, `sendport`, `sendeprt`, `announce_port`,
//! `transfer_without_data` + `voidresp` (ftplib's building blocks and `ftpcp`'s dialogue).

mod client_support;

scripts! {
    makepasv_uses_epsv_and_the_control_peer_address: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > makepasv
        C: EPSV
        S: 229 Entering Extended Passive Mode (|||50000|)
        F: ok PassiveAddress 127.0.0.1:50000 229
    ";
    makepasv_falls_back_to_pasv_after_500_and_distrusts_the_pasv_address: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > makepasv
        C: EPSV
        S: 500 EPSV not understood
        C: PASV
        S: 227 Entering Passive Mode (10,9,8,7,195,80)
        F: ok PassiveAddress 127.0.0.1:50000 227
        > makepasv
        C: PASV
        S: 227 Entering Passive Mode (10,9,8,7,195,81)
        F: ok PassiveAddress 127.0.0.1:50001 227
    ";
    makepasv_refused_or_malformed_is_a_typed_error_and_the_session_goes_on: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > makepasv
        C: EPSV
        S: 229 no port here
        F: err Protocol Malformed 229
        > makepasv
        C: EPSV
        S: 425 cannot open
        F: err Temporary 425
    ";
    makepasv_pasv_port_zero_is_malformed: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > makepasv
        C: EPSV
        S: 502 no
        C: PASV
        S: 227 Entering Passive Mode (127,0,0,1,0,0)
        F: err Protocol Malformed 227
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ";
    sendport_and_sendeprt_send_the_given_address_and_check_2xx: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > sendport 192.0.2.7:50000
        C: PORT 192,0,2,7,195,80
        S: 200 PORT ok
        F: ok Reply 200
        > sendeprt [2001:db8::1]:50001
        C: EPRT |2|2001:db8::1|50001|
        S: 500 Illegal EPRT command
        F: err Permanent 500
        > sendport 192.0.2.7:50000
        C: PORT 192,0,2,7,195,80
        S: 350 odd
        F: err UnexpectedReply 350
    ";
    announce_port_tries_eprt_then_port_and_remembers_the_refusal: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > announce_port 127.0.0.1:4097
        C: EPRT |1|127.0.0.1|4097|
        S: 500 unknown
        C: PORT 127,0,0,1,16,1
        S: 200 ok
        F: ok Reply 200
        > announce_port [::ffff:127.0.0.1]:4098
        C: PORT 127,0,0,1,16,2
        S: 200 ok
        F: ok Reply 200
    ";
    transfer_without_data_ends_on_the_1xx_and_voidresp_takes_the_final_reply: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > transfer_without_data stor b.bin
        C: STOR b.bin
        S: 150 Opening data connection
        F: ok Reply 150
        > noop => err FinalReplyDue
        > voidresp
        S: 226 Transfer complete
        F: ok Reply 226
        > voidresp => err NoFinalReplyDue
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ";
    a_final_reply_before_voidresp_is_kept_for_it: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > transfer_without_data retr a.bin
        C: RETR a.bin
        S: 125 Data connection already open
        F: ok Reply 125
        S: 451 aborted locally
        > voidresp
        F: err Temporary 451
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ";
    transfer_without_data_refused_or_2xx_is_an_error_and_nothing_is_due: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > transfer_without_data stor b.bin
        C: STOR b.bin
        S: 553 not allowed
        F: err Permanent 553
        > voidresp => err NoFinalReplyDue
        > transfer_without_data retr a.bin
        C: RETR a.bin
        S: 226 done already
        F: err UnexpectedReply 226
        > voidresp => err NoFinalReplyDue
    ";
    abort_while_a_final_reply_is_due_collects_both_replies: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > transfer_without_data stor b.bin
        C: STOR b.bin
        S: 150 Opening data connection
        F: ok Reply 150
        > abort
        C: ABOR
        S: 426 Connection closed; transfer aborted
        S: 226 ABOR ok
        F: ok Aborted 426 226
        > voidresp => err NoFinalReplyDue
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ";
}
