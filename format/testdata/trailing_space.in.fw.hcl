search "t" {   
  trials = 20	
  
  seed   = 1 	 
}  
