run_as_root = true
pidfile = "/tmp/ptest/p.pid"
data_path = "/tmp/ptest/data"
interfaces = { "127.0.0.1" }
c2s_ports = {  }
s2s_ports = { }
http_ports = { }
https_ports = { }
c2s_direct_tls_ports = { }
modules_disabled = { "s2s" }
log = { { levels = { min = "info" }, to = "file", filename = "/tmp/ptest/p.log" } }
VirtualHost "library.test"
