/* exit7.c — sandbox/exit-code test: exits with status 7 and no output. Usage: exit7 */
int main(void) { return 7; }
