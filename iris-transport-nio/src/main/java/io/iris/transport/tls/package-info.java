/**
 * TLS for the transport and the client SDK: {@link io.iris.transport.tls.TlsConfig} (server certificate,
 * key and client-certificate policy, read from PEM files), {@link io.iris.transport.tls.Pem} (PEM reading
 * and client-side {@link javax.net.ssl.SSLContext}s) and {@link io.iris.transport.tls.DevCertificates}
 * (a self-signed development CA and server certificate).
 */
package io.iris.transport.tls;
