/* loop.c — misbehaving module for sandbox tests: spins forever (never exits, no output).
 * The volatile counter keeps the loop from being optimized away. Usage: loop */
int main(void) {
  volatile unsigned long counter = 0;
  for (;;) counter++;
}
