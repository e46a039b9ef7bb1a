/* Test library for tls()'s errors and plans: built as a shared library, it
 * defines SSL_read and SSL_write but not the _ex variants (as BoringSSL, or an
 * OpenSSL before 1.1.1); with -DNO_SSL it defines none of them. */
#ifndef NO_SSL
int SSL_read(void *ssl, void *buf, int num)
{
	return ssl && buf ? num : -1;
}

int SSL_write(void *ssl, const void *buf, int num)
{
	return ssl && buf ? num : -1;
}
#else
int not_ssl(int x)
{
	return x + 1;
}
#endif
