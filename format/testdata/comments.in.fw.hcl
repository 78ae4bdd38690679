# Leading comment   
// another style	
/* block
   comment   
*/
search "c" {
  metric = "val_loss" # which metric
  mode = "min" // direction
  trials = 20     /* inline */
  seed = 1
  # a comment line inside

  parallelism = 2 # last
}
