/* The library the dlopen-plugin workload loads and unloads (built with -shared
 * -fPIC): probebook_plugin_tick() is the function a test's uprobe is on. */
__attribute__((noinline, used)) int probebook_plugin_tick(int i)
{
	__asm__ volatile("" ::: "memory");
	return i + 1;
}
