variable "script" {
  default     = <<EOT
line with trailing spaces   
  indented	
${var.x}  
EOT
  description = <<-EOT
    crlf text  
    EOT
}
