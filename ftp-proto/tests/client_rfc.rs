//! The examples of the RFCs (959, 2228/4217, 2389, 2428, 3659) as dialogues.

mod client_support;

scripts! {
    rfc959_login_and_retrieve: "
        > connect
        S: 220 Service ready for new user.
        F: ok Greeting 220
        > login username password
        C: USER username
        S: 331 User name okay, need password.
        C: PASS ****
        S: 230 User logged in, proceed.
        F: ok LoggedIn 230
        > passive off
        > retr foo.txt type=A sink=raw
        C: TYPE A
        S: 200 Command okay.
        A: ListenData 127.0.0.1
        D: listening 127.0.0.1:4097
        C: EPRT |1|127.0.0.1|4097|
        S: 500 Syntax error, command unrecognized.
        C: PORT 127,0,0,1,16,1
        S: 200 Command okay.
        C: RETR foo.txt
        S: 150 File status okay; about to open data connection.
        A: AcceptData 127.0.0.1
        D: accepted 127.0.0.1:20
        A: StartData -
        D: finished 1024
        S: 226 Closing data connection.
        F: ok Transfer 226 -
        > quit
        C: QUIT
        S: 221 Service closing control connection.
        F: ok Closed 221
        A: CloseAll
    ";
    rfc959_rename_and_delete_replies: "
        > connect
        S: 220 Service ready for new user.
        F: ok Greeting 220
        > rename old new
        C: RNFR old
        S: 350 Requested file action pending further information.
        C: RNTO new
        S: 250 Requested file action okay, completed.
        F: ok Reply 250
        > delete new
        C: DELE new
        S: 450 Requested file action not taken.
        F: err Temporary 450
    ";
    rfc959_multiline_reply_with_inner_code_lines: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > execute HELP
        C: HELP
        S: 214-The following commands are recognized:
        S: 214 is not the end when it is not the last line? it is: space after the code
        F: ok Reply 214
        > execute STAT
        C: STAT
        S: 211-First line
        S: 211-Second line, same code with a hyphen
        S: 123 a line that starts with digits
        S: 211 End of status
        F: ok Reply 211
    ";
    rfc4217_auth_tls_pbsz_prot: "
        > connect
        S: 220 Service ready for new user.
        F: ok Greeting 220
        > auth_tls
        C: AUTH TLS
        S: 234 Security data exchange complete.
        A: SecureControl
        L: secured
        F: ok Reply 234
        > login user pass
        C: USER user
        S: 331 User name okay, need password.
        C: PASS ****
        S: 230 User logged in, proceed.
        F: ok LoggedIn 230
        > prot_p
        C: PBSZ 0
        S: 200 PBSZ=0
        C: PROT P
        S: 200 Protection level set to P
        F: ok Reply 200
        > ccc
        C: CCC
        S: 200 CCC command successful
        A: ShutdownControlTls
        L: plain
        F: ok Reply 200
    ";
    rfc2228_auth_refused_431: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > auth_tls
        C: AUTH TLS
        S: 431 Need some unavailable resource to process security.
        F: err Temporary 431
    ";
    rfc2389_feat: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > feat
        C: FEAT
        S: 211-Extensions supported:
        S:  MLST size*;create;modify*;perm;media-type
        S:  SIZE
        S:  COMPRESSION
        S:  MDTM
        S: 211 END
        F: ok Features 4
    ";
    rfc2389_feat_without_extensions: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > feat
        C: FEAT
        S: 211 No-Features
        F: ok Features 0
    ";
    rfc2428_epsv: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > retr file
        C: TYPE I
        S: 200 ok
        C: EPSV
        S: 229 Entering Extended Passive Mode (|||6446|)
        A: ConnectData 127.0.0.1:6446
        D: connected 127.0.0.1:6446
        C: RETR file
        S: 150 ok
        A: StartData -
        D: finished 1
        S: 226 ok
        F: ok Transfer 226 -
    ";
    rfc2428_eprt_ipv6: "
        > connect6
        S: 220 ready
        F: ok Greeting 220
        > passive off
        > retr file
        C: TYPE I
        S: 200 ok
        A: ListenData ::1
        D: listening [::1]:5282
        C: EPRT |2|::1|5282|
        S: 200 EPRT command successful.
        C: RETR file
        S: 150 ok
        A: AcceptData ::1
        D: accepted [::1]:20
        A: StartData -
    ";
    rfc2428_epsv_unsupported_network_protocol_522: "
        > connect6
        S: 220 ready
        F: ok Greeting 220
        > retr file
        C: TYPE I
        S: 200 ok
        C: EPSV
        S: 522 Network protocol not supported, use (1)
        F: err Permanent 522
    ";
    rfc3659_size: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > execute TYPE I
        C: TYPE I
        S: 200 Type set to I.
        F: ok Reply 200
        > size test.txt
        C: SIZE test.txt
        S: 213 1060
        F: ok Size 1060
        > size nope
        C: SIZE nope
        S: 550 Could not get file size.
        F: err Permanent 550
    ";
    rfc3659_mdtm_with_fraction: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > mdtm file
        C: MDTM file
        S: 213 19980615100045.014
        F: ok Modified 19980615100045.014
    ";
    rfc3659_rest_stream: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > execute TYPE I
        C: TYPE I
        S: 200 Type set to I.
        F: ok Reply 200
        > passive off
        > retr cap60.pl198.tar rest=500
        A: ListenData 127.0.0.1
        D: listening 127.0.0.1:3947
        C: EPRT |1|127.0.0.1|3947|
        S: 500 'EPRT': command not understood.
        C: PORT 127,0,0,1,15,107
        S: 200 PORT command successful.
        C: REST 500
        S: 350 Restarting at 500. Send STORE or RETRIEVE
        C: RETR cap60.pl198.tar
        S: 150 Opening BINARY mode data connection
        A: AcceptData 127.0.0.1
        D: accepted 127.0.0.1:20
        A: StartData -
        D: finished 4096
        S: 226 Transfer complete.
        F: ok Transfer 226 -
    ";
    rfc3659_mlst: r#"
        > connect
        S: 220 ready
        F: ok Greeting 220
        > pwd
        C: PWD
        S: 257 "/" is current directory.
        F: ok Path / 257
        > mlst tmp
        C: MLST tmp
        S: 250- Listing tmp
        S:  Type=dir;Modify=19981107085215;Perm=el; /tmp
        S: 250 End
        F: ok Facts /tmp
        > mlst
        C: MLST
        S: 250- Listing
        S:  type=cdir;perm=el; /
        S: 250 End
        F: ok Facts /
    "#;
    rfc3659_mlst_without_fact_line_is_protocol_error: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > mlst tmp
        C: MLST tmp
        S: 250 Listing tmp
        F: err Protocol MalformedFacts 250
    ";
    rfc3659_mlsd: "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > mlsd tmp
        C: TYPE A
        S: 200 ok
        C: EPSV
        S: 229 Entering Extended Passive Mode (|||6446|)
        A: ConnectData 127.0.0.1:6446
        D: connected 127.0.0.1:6446
        C: MLSD tmp
        S: 150 BINARY connection open for MLSD tmp
        A: StartData -
        D: input Type=cdir;Modify=19981107085215;Perm=el; tmp\\r\\nType=cdir;Modify=19981107085215;Perm=el; /tmp\\r\\nType=pdir;Modify=19990112030508;Perm=el; ..\\r\\nType=file;Size=25730;Modify=19940728095854;Perm=; capmux.tar.z\\r\\n
        E: mlsd tmp CurrentDir
        E: mlsd /tmp CurrentDir
        E: mlsd .. ParentDir
        E: mlsd capmux.tar.z File
        D: finished 200
        S: 226 MLSD completed
        F: ok Transfer 226 -
    ";
}
